from aftersales_core.migrate import run_env
from aftersales_reception.models import Base

run_env(Base.metadata)
