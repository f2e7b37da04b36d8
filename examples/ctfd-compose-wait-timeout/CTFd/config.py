# CTFd/config.py at CTFd 1.1.x (commit 0aefdcc1, CTFd#566, February 2018), reduced to the
# database settings; the lines are the project's. Flask-SQLAlchemy 2.3.2 and
# PyMySQL 0.8.0 (requirements.txt). No SQLALCHEMY_POOL_RECYCLE: for a mysql
# URL Flask-SQLAlchemy 2.3.2 sets pool_recycle = 7200 (apply_driver_hacks).
import os


class Config(object):
    SQLALCHEMY_DATABASE_URI = os.environ.get('DATABASE_URL') or 'sqlite:///{}/ctfd.db'.format(os.path.dirname(os.path.abspath(__file__)))
    SQLALCHEMY_TRACK_MODIFICATIONS = False
