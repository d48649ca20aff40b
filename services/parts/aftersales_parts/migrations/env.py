from aftersales_core.migrate import run_env
from aftersales_parts.models import Base

run_env(Base.metadata)
