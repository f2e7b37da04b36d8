# Flask config (the Python variant of settings.yaml).
class Config:
    SQLALCHEMY_DATABASE_URI = "mysql+pymysql://edge_api:changeme@devices-db.internal:3306/devices"
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_recycle": 20 * 60,  # below wait_timeout (1800 s) and the security group's 3600 s
        "pool_pre_ping": True,
        "connect_args": {"read_timeout": 120},
    }
