from aftersales_core.migrate import run_env
from aftersales_customer_care.models import Base

run_env(Base.metadata)
