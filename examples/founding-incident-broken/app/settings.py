# Flask config (the Python variant of settings.yaml): no engine options, so
# Flask-SQLAlchemy 3.x sets pool_recycle = 7200 on its own.
class Config:
    SQLALCHEMY_DATABASE_URI = "mysql+pymysql://edge_api:changeme@devices-db.internal:3306/devices"
    SQLALCHEMY_TRACK_MODIFICATIONS = False
