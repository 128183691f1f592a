"""Run Apache Jena's command-line tools from Debian's libapache-jena-java (jars only).

Debian ships no `riot`/`arq` scripts and its Jena fails to initialise without Xerces' message
bundles at their un-shaded path, so we copy them out of jena-core.jar (GUIDE §4).
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

JARS = Path("/usr/share/java")
#: Logging bindings that clash with each other on Debian's shared class path.
_CLASHING = ("slf4j-log4j12", "log4j-over-slf4j", "maven3-slf4j-provider", "slf4j-jcl", "slf4j-jdk14", "slf4j-nop")


def available() -> bool:
    return shutil.which("java") is not None and (JARS / "jena-arq.jar").exists()


def classpath(work: Path) -> str:
    fix = work / "jena-xerces-fix"
    if not fix.exists():
        with zipfile.ZipFile(JARS / "jena-core.jar") as jar:
            for name in jar.namelist():
                if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                    target = fix / name.removeprefix("org/apache/jena/ext/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    jars = [str(j) for j in sorted(JARS.glob("*.jar")) if not j.name.startswith(_CLASHING)]
    return ":".join([str(fix), *jars])


def run(work: Path, main_class: str, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["java", "-cp", classpath(work), main_class, *args], capture_output=True, text=True, timeout=timeout
    )
