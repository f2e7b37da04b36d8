# Django settings of the lab's app (the probe sends request_started / request_finished
# around each query, as a web request does).
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
        "CONN_MAX_AGE": 12,  # TL119: not below idle_session_timeout = 3 s
    }
}
