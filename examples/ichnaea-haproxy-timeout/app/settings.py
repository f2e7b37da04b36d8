# The engine of ichnaea/db.py at that commit (the Python variant of settings.yaml).
from sqlalchemy import create_engine

engine = create_engine(
    "mysql+pymysql://location:changeme@127.0.0.1:33307/location",
    pool_recycle=3600,
    pool_size=10,
    pool_timeout=10,
    pool_pre_ping=True,
)
