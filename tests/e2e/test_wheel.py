"""The wheel deploys: built from the sources, installed into a fresh virtual environment,
it migrates a database and serves the sign-in page in Chinese, its styles and a document.

The new environment reaches doudi's dependencies through the project's own
environment (a path entry, without its editable install), so the test needs no
network; doudi itself comes only from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SERVE = textwrap.dedent(
    """
    import admin, sys
    from pathlib import Path
    assert "site-packages" in admin.__file__, admin.__file__  # not the source checkout
    from admin.app import create_app
    app = create_app()
    client = app.test_client()
    page = client.get("/ui/signin")
    assert page.status_code == 200, page.status_code
    text = page.get_data(as_text=True)
    assert "登录" in text and "用户名" in text, text[:500]
    css = client.get("/static/ui/doudi.css")
    assert css.status_code == 200
    css.close()
    assert client.get("/admin/static/vendor/jquery.min.js").status_code == 200
    assert client.get("/verify").status_code == 200
    from admin.documents.render import TEMPLATES
    assert (TEMPLATES / "notice.html").is_file(), TEMPLATES
    print("served from", Path(admin.__file__).parent)
    """
)


@pytest.mark.slow
def test_the_wheel_installs_migrates_and_serves_in_chinese(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy: building in place would leave build/ in the checkout
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "instance", "*.egg-info", "__pycache__", ".*_cache"
        ),
    )
    dist = tmp_path / "dist"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = dist.glob("doudi-*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # the dependencies, without the project's editable install (its .pth files are not read)
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]

    work = tmp_path / "work"
    work.mkdir()
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DOUDI_", "PYTHON"))},
        "DOUDI_ENV": "development",
        "DOUDI_INSTANCE_PATH": str(work / "instance"),
    }
    doudi = env_dir / "bin" / "doudi"
    upgrade = subprocess.run(
        [str(doudi), "db", "upgrade"], cwd=work, env=environ, capture_output=True, text=True
    )
    assert upgrade.returncode == 0, upgrade.stderr[-2000:]
    assert "migrated" in upgrade.stdout
    served = subprocess.run(
        [str(python), "-c", SERVE], cwd=work, env=environ, capture_output=True, text=True
    )
    assert served.returncode == 0, served.stderr[-3000:]
    assert str(site) in served.stdout
