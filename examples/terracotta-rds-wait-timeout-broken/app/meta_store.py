# Terracotta's MySQL metadata store (terracotta/drivers/relational_meta_store.py
# and mysql_meta_store.py), reduced to the engine it builds, as it was before
# DHI/terracotta#267. The Flask server (terracotta.server.app, deployed on AWS
# Lambda with Zappa) reaches RDS through this engine. SQL_DRIVER = "pymysql";
# SQL_TIMEOUT_KEY = "connect_timeout" gets DB_CONNECTION_TIMEOUT (default 10).
# Host, user and password are placeholders; "?charset=utf8mb4" is what
# MySQLMetaStore appends to every path.
import sqlalchemy as sqla

sqla_engine = sqla.create_engine(
    "mysql+pymysql://terracotta:changeme@terracotta.abc123.eu-central-1.rds.amazonaws.com:3306/terracotta?charset=utf8mb4",
    echo=False,
    future=True,
    connect_args={"connect_timeout": 10},
)
