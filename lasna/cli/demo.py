"""`lasna demo` and `lasna dashboard`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import typer

from lasna.cli.common import console, open_store, progress, state

DASHBOARD_APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
# the app plus its session-cookie endpoints (st.App); `streamlit run dashboard/app.py` also works
DASHBOARD_SERVER = DASHBOARD_APP.with_name("server.py")


def serve_dashboard(host: str, port: int) -> int:
    """Run the Streamlit dashboard in the foreground against the configured store."""
    if not DASHBOARD_APP.exists():
        from lasna.errors import ConfigError

        raise ConfigError(f"dashboard not found at {DASHBOARD_APP}", hint="install Läsnä from a checkout: pip install -e .")
    env = dict(os.environ)
    if state.database_url:
        env["LASNA_DATABASE_URL"] = state.database_url
    # the app allows its login-free demo only when it knows it is bound to loopback
    env["LASNA_DASHBOARD_HOST"] = host
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(DASHBOARD_SERVER),
        "--server.port", str(port), "--server.address", host, "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
    ]
    console().print(f"Läsnä dashboard on http://{host}:{port}  (Ctrl+C stops)")
    proc = subprocess.Popen(cmd, env=env)

    def _stop(signum, _frame):  # a supervisor's SIGTERM must not orphan the server
        proc.terminate()

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        no_serve: bool = typer.Option(False, "--no-serve", help="Only load the demo data; do not start the dashboard."),
        host: str = typer.Option("127.0.0.1", "--host", help="Address the dashboard listens on."),
        port: int = typer.Option(8501, "--port", help="Port the dashboard listens on."),
    ) -> None:
        """Load the bundled demo data (idempotent) and start the dashboard on it."""
        from lasna.demo import load_demo

        store = open_store()
        with progress("Loading the demo data") as step:
            result = load_demo(store)
            step()
        console().print(
            f"Demo data in {store.url}: {result.leaders} leaders, {result.posts} posts "
            f"({result.new_posts} new), {result.interactions} interactions ({result.new_interactions} new)."
        )
        if not no_serve:
            raise typer.Exit(serve_dashboard(host, port))

    @app.command()
    def dashboard(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
        port: int = typer.Option(8501, "--port", help="Port to listen on."),
    ) -> None:
        """Start the dashboard against the configured store."""
        open_store()  # migrate and fail early with a clear message
        raise typer.Exit(serve_dashboard(host, port))
