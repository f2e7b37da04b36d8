# Founding incident 2's OPTIONS at lab scale: Django on psycopg 3
SECRET_KEY = "lab"
USE_TZ = True
INSTALLED_APPS: list[str] = []

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "lab",
        "USER": "lab",
        "PASSWORD": "lab",
        "HOST": "db",
        "PORT": "5432",
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"connect_timeout": 10, "options": "-c statement_timeout=30s"},
    }
}
