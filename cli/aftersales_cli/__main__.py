from aftersales_cli.main import cli

cli()
