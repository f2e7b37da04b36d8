# Django 5.1+ native pool (psycopg_pool), psycopg#584 at lab scale:
# max_lifetime below idle_session_timeout does not help, it is checked on return
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
        "CONN_HEALTH_CHECKS": False,  # TL116: the pool hands out connections unchecked
        "OPTIONS": {
            "pool": {"min_size": 1, "max_size": 2, "max_lifetime": 2, "max_idle": 60},
        },
    }
}
