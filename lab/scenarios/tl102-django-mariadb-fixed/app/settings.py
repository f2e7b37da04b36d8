# Django settings module (the lab replaces HOST, PORT, USER, PASSWORD and NAME).
SECRET_KEY = "lab-only"
USE_TZ = True
INSTALLED_APPS = []
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": "lab",
        "USER": "lab",
        "PASSWORD": "lab",
        "HOST": "db.lab",
        "PORT": 3306,
        # closed at the next request once older than 1 s: below wait_timeout 3 s
        "CONN_MAX_AGE": 1,
    },
}
