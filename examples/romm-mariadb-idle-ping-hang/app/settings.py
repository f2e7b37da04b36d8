# The Python variant of settings.yaml (RomM's engine).
from sqlalchemy import create_engine

engine = create_engine(
    "mariadb+mariadbconnector://romm:changeme@mariadb.homelab.internal:3306/romm",
    pool_pre_ping=True,
)
