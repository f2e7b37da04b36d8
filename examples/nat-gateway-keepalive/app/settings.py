# The Python variant of settings.yaml.
import sqlalchemy

engine = sqlalchemy.create_engine(
    "mysql+pymysql://ledger:changeme@203.0.113.25:3306/ledger",
    pool_size=5,
    max_overflow=10,
    pool_recycle=60 * 60,
    connect_args={"connect_timeout": 10},
)
