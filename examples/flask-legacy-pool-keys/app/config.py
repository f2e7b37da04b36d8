# Flask config class (the Python variant of config.yaml).
class Config:
    SQLALCHEMY_DATABASE_URI = "mysql+pymysql://blog:changeme@blog-db.internal:3306/blog"
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_POOL_RECYCLE = 280  # removed in Flask-SQLAlchemy 3.0
    SQLALCHEMY_POOL_SIZE = 20
