"""The ASGI app uvicorn serves, built from the environment's Settings."""

from enablement.api import create_app
from enablement.settings import get_settings

app = create_app(get_settings())
