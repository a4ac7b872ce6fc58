#!/usr/bin/env python3
"""Resolves the dependencies a POM names to local jars, as a build tool would fetch them:
prints a classpath, or fails on a dependency with no local jar. Jars come from the
environment: JNA_JAR, KOTLIN_LIB (kotlin-stdlib.jar, kotlinx-coroutines-core-jvm.jar).

    scripts/pom-deps.py <file.pom>
"""
import os
import sys
import xml.etree.ElementTree as ET

ns = {"m": "http://maven.apache.org/POM/4.0.0"}
lib = os.environ.get("KOTLIN_LIB", "")
local = {
    # An Android app gets JNA's AAR; on the JVM the same classes come in the plain jar.
    ("net.java.dev.jna", "jna"): os.environ.get("JNA_JAR", "/usr/share/java/jna.jar"),
    ("org.jetbrains.kotlinx", "kotlinx-coroutines-core"): os.path.join(lib, "kotlinx-coroutines-core-jvm.jar"),
    ("org.jetbrains.kotlin", "kotlin-stdlib"): os.path.join(lib, "kotlin-stdlib.jar"),
}
jars = []
for dep in ET.parse(sys.argv[1]).getroot().findall("m:dependencies/m:dependency", ns):
    key = (dep.findtext("m:groupId", namespaces=ns), dep.findtext("m:artifactId", namespaces=ns))
    if key not in local or not os.path.isfile(local[key]):
        sys.exit(f"no local jar for {key[0]}:{key[1]}")
    jars.append(local[key])
print(":".join(jars))
