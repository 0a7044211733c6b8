"""The Dockerfile and compose.yaml, checked without a container engine (none runs on these machines).

What can go stale is checked against the code itself: every ``boucle …`` command against the
real argument parser, every variable against what ``settings.py`` reads, every probe URL against
the URL routes, every named volume against the declared ones.
"""

import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.urls import Resolver404, resolve

from boucle.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "src" / "boucle" / "settings.py"
BOUCLE_SERVICES = {"web", "worker", "beat"}


def settings_variables() -> set[str]:
    text = SETTINGS.read_text(encoding="utf-8")
    return set(re.findall(r'(?:os\.environ(?:\.get)?\(|os\.environ\[|envbool\(|envint\(|envlist\()\s*"([A-Z0-9_]+)"', text))


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip()) for line in text.splitlines() if line.strip()]


def check_boucle_command(argv: list[str]):
    assert argv[0] == "boucle", argv
    parser = build_parser()
    try:
        parser.parse_args(argv[1:])
    except SystemExit:
        pytest.fail(f"`{' '.join(argv)}` is not a valid boucle command line")


def probe_path(command: str) -> str:
    urls = re.findall(r"https?://[^/'\" ]+(/[^'\" ]*)", command)
    assert len(urls) == 1, command
    return urls[0]


def test_compose_has_the_five_processes_each_with_an_image(compose):
    services = compose["services"]
    assert set(services) == BOUCLE_SERVICES | {"postgres", "redis"}
    for name, service in services.items():
        assert service.get("image"), name
        assert service.get("restart") == "unless-stopped", name
    for name in ("postgres", "redis"):
        image = services[name]["image"]
        assert re.fullmatch(r"[a-z]+:\d+(\.\d+)+-\w+", image), f"{name}: pin a patch release, not {image}"


@pytest.mark.parametrize("service", sorted(BOUCLE_SERVICES))
def test_each_boucle_process_runs_a_real_boucle_command(compose, service):
    check_boucle_command(compose["services"][service]["command"])


def test_every_variable_compose_sets_is_read_by_the_settings(compose):
    known = settings_variables()
    for name in BOUCLE_SERVICES:
        env = compose["services"][name]["environment"]
        unknown = sorted(set(env) - known)
        assert not unknown, f"{name} sets variables settings.py never reads: {unknown}"
        assert {"DATABASE_URL", "BOUCLE_SECRET_KEY", "BOUCLE_CACHE_URL", "BOUCLE_BROKER_URL"} <= set(env)
    web = compose["services"]["web"]["environment"]
    assert web["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in web["DATABASE_URL"]
    assert web["BOUCLE_BROKER_URL"].startswith("redis://redis:") and web["BOUCLE_CACHE_URL"].startswith("redis://redis:")
    assert ":?" in web["BOUCLE_SECRET_KEY"]  # no default key: compose stops if it is missing


def test_healthchecks_probe_routes_that_exist_and_services_wait_for_them(compose):
    services = compose["services"]
    for name in ("web", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    path = probe_path(" ".join(services["web"]["healthcheck"]["test"]))
    assert resolve(path).url_name == "readyz"
    assert services["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("worker", "beat"):  # after web: one process migrates the database
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_worker_and_beat_are_probed_by_their_own_health_check(compose, service):
    """``boucle worker --check`` / ``boucle beat --check``: real options of the real parser, which open no
    database (a probe every minute must not migrate anything), given time to start and to answer."""
    check = compose["services"][service]["healthcheck"]
    assert check["test"][0] == "CMD"
    argv = check["test"][1:]
    assert argv == ["boucle", service, "--check"]
    check_boucle_command(argv)
    args = build_parser().parse_args(argv[1:])
    assert args.check is True and args.needs_db is False

    def seconds(text):
        return int(re.fullmatch(r"(\d+)s", text).group(1))

    assert seconds(check["timeout"]) >= 10  # a ping through the broker waits up to 5 s, after Python starts
    assert seconds(check["start_period"]) >= 30 and seconds(check["interval"]) <= 120 and check["retries"] >= 2
    if service == "beat":
        from boucle.jobs.commands import MAX_BEAT_SILENCE_S
        from boucle.celery import BEAT_TICK_MAX_S

        assert BEAT_TICK_MAX_S * 2 <= MAX_BEAT_SILENCE_S  # a live scheduler always looks alive


def test_named_volumes_are_declared_and_data_survives(compose):
    declared = set(compose["volumes"])
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source in declared, f"{name}: volume {source} not declared"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in compose["services"]["postgres"]["volumes"])
    assert any(v.endswith(":/data") for v in compose["services"]["redis"]["volumes"])
    assert any(v.endswith(":/var/lib/boucle") for v in compose["services"]["web"]["volumes"])


def test_dockerfile_pins_its_base_and_runs_as_a_user_without_privileges():
    steps = dockerfile()
    froms = [args for op, args in steps if op == "FROM"]
    assert len(froms) == 1 and re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", froms[0]), froms
    users = [args for op, args in steps if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    last_user = max(i for i, (op, _a) in enumerate(steps) if op == "USER")
    assert all(op not in ("RUN", "COPY", "ADD") for op, _a in steps[last_user:])  # nothing built as the user


def test_dockerfile_copies_what_the_package_builds_from_and_installs_it():
    steps = dockerfile()
    copied = " ".join(args for op, args in steps if op == "COPY")
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for needed in ("pyproject.toml", project["readme"], "src"):
        assert needed in copied, needed
        assert (ROOT / needed).exists()
    runs = " ".join(args for op, args in steps if op == "RUN")
    assert "pip install" in runs and "collectstatic" in runs
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert "src" not in ignored and "README.md" not in ignored and ".git" in ignored and ".env" in ignored


def test_dockerfile_healthcheck_and_command():
    steps = dockerfile()
    health = [args for op, args in steps if op == "HEALTHCHECK"]
    assert len(health) == 1 and resolve(probe_path(health[0])).url_name == "readyz"
    cmd = [args for op, args in steps if op == "CMD"]
    argv = yaml.safe_load(cmd[-1])  # the JSON (exec) form
    assert isinstance(argv, list)
    check_boucle_command(argv)
    assert "0.0.0.0" in argv  # reachable from outside the container
    exposed = [args for op, args in steps if op == "EXPOSE"]
    assert exposed == [argv[argv.index("--port") + 1]]


def test_a_probe_path_that_does_not_exist_would_be_caught():
    with pytest.raises(Resolver404):
        resolve("/readyz-typo/x/y")


def test_the_deployment_guide_lists_every_variable_the_settings_read():
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    missing = sorted(v for v in settings_variables() if f"`{v}`" not in guide)
    assert not missing, f"docs/deployment.md does not describe: {missing}"
    commands = build_parser()._subparsers._group_actions[0].choices
    named = set(re.findall(r"`boucle ([a-z][a-z-]*)", guide))
    unknown = sorted(named - set(commands))
    assert not unknown, f"docs/deployment.md names commands boucle does not have: {unknown}"
