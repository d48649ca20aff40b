from aftersales_claims.models import Base
from aftersales_core.migrate import run_env

run_env(Base.metadata)
