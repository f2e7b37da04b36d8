# Django 5.1+ native connection pool (psycopg 3 + psycopg_pool)
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
        "CONN_MAX_AGE": 0,  # the pool manages connection lifetime (max_lifetime / max_idle)
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "pool": {"min_size": 1, "max_size": 4, "max_lifetime": 60, "max_idle": 30},
        },
    }
}
