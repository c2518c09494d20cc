# Shared by the bin/ tools: builds a module (and what it needs) on first use or when sources changed,
# and writes its runtime classpath. Usage: build_module MODULE -> sets CP.
# The classpath keeps every scope: Spark is `provided` in the library, and the bin/ tools run it embedded.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JVM_FLAGS=(--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -Dai.djl.offline=true
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dlog4j2.configurationFile="$here/bin/log4j2.properties")
# glibc malloc keeps freed native memory for the next step instead of handing it back to the kernel and faulting it
# in again: libtorch frees and reallocates its large tensors every step (README, "Native memory"). The root pom's
# native.malloc.tunables; a value already in the environment is kept.
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-$(sed -n 's#.*<native.malloc.tunables>\(.*\)</native.malloc.tunables>.*#\1#p' "$here/pom.xml")}"
build_module() {
  local module=$1 stamp="$here/$1/target/.built" cpfile="$here/$1/target/classpath.txt"
  local newer=""
  if [ -f "$stamp" ] && [ -f "$cpfile" ]; then
    newer=$(find "$here" -path '*/target' -prune -o \( -name '*.java' -o -name 'pom.xml' -o -path '*/resources/*' \) -newer "$stamp" -print -quit)
  fi
  if [ ! -f "$stamp" ] || [ ! -f "$cpfile" ] || [ -n "$newer" ]; then
    echo "Building $module (first use or sources changed)..." >&2
    # Maven's output is kept aside and shown only if the build fails (even with -q it prints colour codes).
    rm -f "$stamp"   # a failed build must not leave the last good build's stamp: the next run rebuilds
    local log; log=$(mktemp)
    if ! (cd "$here" && flock /tmp/spark-keras-mvn.lock mvn -B -q install -DskipTests -pl "$module" -am >"$log" 2>&1 \
      && flock /tmp/spark-keras-mvn.lock mvn -B -q dependency:build-classpath -Dmdep.outputFile="$cpfile" -pl "$module" \
        >>"$log" 2>&1); then
      cat "$log" >&2; rm -f "$log"
      echo "Build of $module failed" >&2; exit 1
    fi
    rm -f "$log"
    touch "$stamp"
  fi
  CP="$here/$module/target/classes:$(cat "$cpfile")"
}
