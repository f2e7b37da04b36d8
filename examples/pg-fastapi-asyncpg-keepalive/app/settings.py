# The Python variant of settings.yaml (FastAPI + SQLAlchemy asyncio).
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(
    "postgresql+asyncpg://content:changeme@content-db.internal:5432/content",
    pool_size=10,
    max_overflow=20,
    pool_pre_ping=True,
    connect_args={"command_timeout": 60},
)
