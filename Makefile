# partyhost: `make run` builds everything and serves the examples; `make test` builds and tests everything.
# Toolchains come from Debian packages; missing ones are installed (as root) on first use.

PORT ?= 1999
MAIN_PARTY ?= chat
BUILD := build
WASM := $(BUILD)/wasm
CONFORMANCE := $(BUILD)/conformance
TEST_WASM := $(BUILD)/test-wasm
JAR := host/target/partyhost.jar

# Debian's Rust 1.63 has the wasm32 standard library; a rustup toolchain on PATH may not.
CARGO := RUSTC=/usr/bin/rustc /usr/bin/cargo
# Freestanding C guests (no libc) and WASI-libc reactors.
# A 16 KiB stack placed first (an overflow traps instead of overwriting data), a 16 MiB ceiling.
GUEST_LDFLAGS := -Wl,--stack-first -Wl,-z,stack-size=16384 -Wl,--max-memory=16777216
CC_WASM := clang --target=wasm32 -std=c11 -O2 -Wall -Wextra -ffreestanding -nostdlib -Iguest-sdk-c \
           -Wl,--no-entry $(GUEST_LDFLAGS)
CC_WASI := clang --target=wasm32-wasi -mexec-model=reactor -std=c11 -O2 -Wall -Wextra -Iguest-sdk-c \
           $(GUEST_LDFLAGS) -Wl,--strip-debug

APT_PACKAGES := rustc cargo libstd-rust-dev-wasm32 lld-14 clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt
# The storage tests also run against a real PostgreSQL server, which they start themselves.
# The demo page's test drives Debian's Chromium, headless (playwright-core, no browser download).
TEST_APT_PACKAGES := postgresql chromium
TOOLCHAINS := $(BUILD)/.toolchains
TEST_TOOLS := $(BUILD)/.test-tools

.PHONY: run dev run-cluster try-deps test test-inputs test-compile test-party fmt bench partykit-deps bench-storage bench-jmh bench-cluster bench-yjs web jar examples conformance test-wasm node-deps sdk-test clean toolchains rust-party c-party \
        fuzz fuzz-short yjs-fixtures

# JVM options for the host (BENCHMARKS.md says why): a 4 GiB heap holds 10,000 busy rooms; 4 MiB G1
# regions keep guest memories up to 2 MiB (32 pages) out of humongous allocation.
HOST_JAVA_OPTS ?= -Xmx4g -XX:+UseG1GC -XX:G1HeapRegionSize=4m

run: jar examples web try-deps
	java $(HOST_JAVA_OPTS) -jar $(JAR) --parties $(WASM) --main-party $(MAIN_PARTY) --port $(PORT) --static $(WEB)

# `make run` that rebuilds a party when its sources change and swaps it in (--watch): README, "Live reload".
dev: jar examples web try-deps
	JAVA_OPTS="$(HOST_JAVA_OPTS)" host/scripts/dev.sh $(PORT) $(JAR) $(WASM) $(MAIN_PARTY) $(WEB)

# Three nodes on PORT, PORT+1, PORT+2 and a PostgreSQL server in ./data/postgres (CLUSTER.md).
run-cluster: jar examples $(TEST_TOOLS)
	JAVA_OPTS="-Xmx1g -XX:+UseG1GC" host/scripts/run-cluster.sh $(PORT) $(JAR) $(WASM) $(MAIN_PARTY)

# The tests' inputs are built side by side with the Java code (javac and Error Prone work on one
# core, and so does each crate's final link), then `mvn test` finds the classes compiled.
test: $(TEST_TOOLS)
	$(MAKE) --no-print-directory -j2 test-inputs test-compile
	mvn -B --no-transfer-progress -f pom.xml test
	$(MAKE) fuzz-short
test-inputs: examples web conformance test-wasm node-deps sdk-test
test-compile:
	mvn -B -q --no-transfer-progress -f pom.xml test-compile

# One format for the Java code (google-java-format through Spotless); every Maven build checks it.
fmt:
	mvn -B -q --no-transfer-progress -f pom.xml spotless:apply

jar: $(JAR)
$(JAR): pom.xml host/pom.xml $(shell find host/src/main -type f)
	mvn -B -q -f pom.xml package -DskipTests -pl host

# Benchmarks: separate commands that print figures; never part of `make test`.
BENCH_JAR := bench/target/partyhost-bench.jar
# The JMH benchmarks run the host's classes in process: the bench jar is built with the host module.
$(BENCH_JAR): pom.xml host/pom.xml bench/pom.xml $(shell find host/src/main bench/src -type f)
	mvn -B -q -f pom.xml package -DskipTests -pl bench -am
# Acknowledged durable puts per second in one room (group commit), against one commit per write.
# The suite: each scenario against partyhost (relay-c, relay-rust; compiled and interpreted), the
# native Vert.x relay and PartyKit's dev server (the wake scenario: relay-c and chat, snapshots on
# and off), then durable writes and the JMH round trip. About 22 minutes on 2 cores. One part: `make bench BENCH_ARGS='--scenarios fanout --servers native,relay-c'`.
bench: $(JAR) $(BENCH_JAR) examples partykit-deps
	java -cp $(BENCH_JAR) dev.partyhost.bench.Bench --host-jvm "$(HOST_JAVA_OPTS)" $(BENCH_ARGS)
	$(MAKE) bench-storage bench-jmh
# PartyKit's dev server, pinned by bench/partykit/package-lock.json; skipped (with a message) without Node.
PARTYKIT_DEPS := bench/partykit/node_modules/.package-lock.json
partykit-deps:
	@if command -v npm >/dev/null; then $(MAKE) $(PARTYKIT_DEPS); else echo "no Node.js/npm: the bench skips PartyKit"; fi
$(PARTYKIT_DEPS): bench/partykit/package-lock.json
	npm ci --prefix bench/partykit --no-audit --no-fund --loglevel=error
bench-storage: $(JAR) $(BENCH_JAR) test-wasm
	java -jar $(BENCH_JAR) $(BENCH_ARGS_STORAGE)
# One node against three (BENCHMARKS.md, Cluster): fan-out and many rooms with the clients spread
# over the nodes against all on one, then failover (kill -9, SIGSTOP) and drain (SIGTERM) times. Three
# nodes with 512 MiB heaps and a PostgreSQL server of its own in a temporary directory; about 2
# minutes on 2 cores. One part, or longer: BENCH_ARGS_CLUSTER='--parts failover' or '--seconds 10'.
bench-cluster: $(JAR) $(BENCH_JAR) examples $(TEST_TOOLS)
	java -cp $(BENCH_JAR) dev.partyhost.bench.ClusterBench $(BENCH_ARGS_CLUSTER)
# Yjs (BENCHMARKS.md, "Yjs (B4)"): the B4 editing trace (bench/partykit/b4/trace.mjs), one writer
# sending every edit as its own update while two clients follow, then a late joiner; partyhost's
# `yjs` party against y-partykit on PartyKit's dev server, each in a process of its own. Bounded:
# --timeout seconds per server (240), after which the rate so far is printed. A shorter run:
# BENCH_ARGS_YJS='--edits 20000'. Needs Node.js (npm ci in bench/partykit).
bench-yjs: $(JAR) $(BENCH_JAR) examples partykit-deps
	java -cp $(BENCH_JAR) dev.partyhost.bench.YjsBench --host-jvm "$(HOST_JAVA_OPTS)" $(BENCH_ARGS_YJS)
# JMH, in process: one relay message host -> guest -> host (on_message and its broadcast call), ns per
# message, relay-c and relay-rust, compiled and interpreted (bench/.../RoundTrip.java says what each
# row covers). One fork, short iterations: about 4 minutes on 2 cores. More: JMH_ARGS='... -prof gc'.
JMH_ARGS ?= -f 1 -wi 3 -i 5 -w 2s -r 2s
bench-jmh: $(BENCH_JAR) $(WASM)/relay-c.wasm $(WASM)/relay-rust.wasm
	java -cp $(BENCH_JAR) org.openjdk.jmh.Main RoundTrip $(JMH_ARGS)

# --- fuzzing ----------------------------------------------------------------------------------------
# Jazzer fuzz tests: host/src/test/java/dev/partyhost/fuzz, one @FuzzTest per *FuzzTest class. Plain
# `mvn test` replays their seeds and past findings (host/src/test/resources/dev/partyhost/fuzz/*Inputs/).
# With JAZZER_FUZZ=1 a class fuzzes in a JVM of its own (Jazzer fuzzes one test per JVM) for the given
# seconds (libFuzzer's -max_total_time, passed through Jazzer's jazzer.internal.arg.N: JUnit's @Timeout
# would time the whole run); an input that runs over 30 s is a finding (a hang). Chicory's own asserts
# are off, as in production. A finding fails the run and is saved as .../<Class>Inputs/<method>/crash-*:
# fix the bug and commit that file (renamed as you like), which then runs in every `mvn test`
# (HostCallsFuzzTest's inputs are read against its call list: add a unit check there as well).
# slow-unit-* files there are inputs that took over 10 s: worth a look, not a failure.
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?= HostCallsFuzzTest ModuleLoaderFuzzTest CompiledModuleLoaderFuzzTest ByteListFuzzTest \
                Utf8FuzzTest RoomAddressFuzzTest
# `make test` fuzzes the two targets where a few seconds still find new paths, side by side, from the
# committed seeds only (each JVM spends 10-20 s starting Jazzer, and the host, before it fuzzes).
FUZZ_SHORT_SECONDS ?= 5
FUZZ_SHORT_TARGETS ?= HostCallsFuzzTest,ModuleLoaderFuzzTest
FUZZ_CORPUS := $(BUILD)/fuzz-corpus
FUZZ_INPUTS := host/src/test/resources/dev/partyhost/fuzz
# $(call run_fuzz,SECONDS,TARGETS,FORKS[,CORPUS DIR]): one shell command. A finding fails it even if
# its report got lost on the way from the forked JVM: new crash-, timeout- or oom- files count.
run_fuzz = mkdir -p $(BUILD) && touch $(BUILD)/.fuzz-start && \
  { JAZZER_FUZZ=1 mvn -B --no-transfer-progress -f pom.xml -pl host test -Dtest="$(2)" \
    -DforkCount=$(3) -DreuseForks=false -DargLine='-da:com.dylibso.chicory...' \
    -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=$(1) -Djazzer.internal.arg.2=-timeout=30 \
    $(if $(4),-Djazzer.internal.arg.3=$(4)); status=$$?; \
    found=$$(find $(FUZZ_INPUTS) -newer $(BUILD)/.fuzz-start \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \)); \
    if [ -n "$$found" ]; then echo "fuzzing found:" $$found; status=1; fi; [ $$status -eq 0 ]; }
fuzz-short: examples conformance test-wasm
	rm -rf host/.cifuzz-corpus
	$(call run_fuzz,$(FUZZ_SHORT_SECONDS),$(FUZZ_SHORT_TARGETS),2)
# Each target in turn, FUZZ_SECONDS each, keeping what it learns in build/fuzz-corpus/TARGET; the
# module loaders also start from every module the build makes. Every target runs; then a finding fails.
fuzz: examples conformance test-wasm
	@for t in ModuleLoaderFuzzTest CompiledModuleLoaderFuzzTest; do mkdir -p $(FUZZ_CORPUS)/$$t && \
	  for f in $(WASM)/*.wasm $(TEST_WASM)/*.wasm $$(find $(CONFORMANCE) -name '*.wasm'); do \
	    cp $$f $(FUZZ_CORPUS)/$$t/$$(echo $$f | tr / _); done; done
	@failed=; for t in $(FUZZ_TARGETS); do mkdir -p $(FUZZ_CORPUS)/$$t; \
	  $(call run_fuzz,$(FUZZ_SECONDS),$$t,1,$(CURDIR)/$(FUZZ_CORPUS)/$$t) || failed="$$failed $$t"; done; \
	  if [ -n "$$failed" ]; then echo "fuzzing found bugs in:$$failed"; exit 1; fi

# --- toolchains ---------------------------------------------------------------------------------
# apt-install whichever of the packages $(1) are missing, then touch the stamp file $@.
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@mkdir -p $(BUILD) && touch $@
endef
toolchains: $(TOOLCHAINS)
$(TOOLCHAINS):
	$(call apt_install,$(APT_PACKAGES))
# (after the Makefile: a package added to the list is installed where the stamp is older)
$(TEST_TOOLS): Makefile
	$(call apt_install,$(TEST_APT_PACKAGES))

# --- guests -------------------------------------------------------------------------------------
examples: $(WASM)/chat.wasm $(WASM)/lobby.wasm $(WASM)/cursors.wasm $(WASM)/poll.wasm $(WASM)/relay-rust.wasm $(WASM)/auth.wasm $(WASM)/yjs.wasm $(WASM)/counter.wasm $(WASM)/relay-c.wasm $(WASM)/webhook.wasm

RUST_SOURCES := guest-sdk-rust/Cargo.toml $(shell find guest-sdk-rust/src examples-wasm/chat examples-wasm/lobby examples-wasm/cursors examples-wasm/poll examples-wasm/relay-rust examples-wasm/auth examples-wasm/yjs -name '*.rs' -o -name Cargo.toml) \
                examples-wasm/Cargo.toml examples-wasm/.cargo/config.toml
$(BUILD)/cargo/wasm32-unknown-unknown/release/%.wasm: $(RUST_SOURCES) | $(TOOLCHAINS)
	cd examples-wasm && $(CARGO) build --release --target wasm32-unknown-unknown --target-dir ../$(BUILD)/cargo
$(WASM)/chat.wasm: $(BUILD)/cargo/wasm32-unknown-unknown/release/chat.wasm
	@mkdir -p $(@D) && cp $< $@
$(WASM)/lobby.wasm: $(BUILD)/cargo/wasm32-unknown-unknown/release/lobby.wasm
	@mkdir -p $(@D) && cp $< $@
$(WASM)/poll.wasm: $(BUILD)/cargo/wasm32-unknown-unknown/release/poll.wasm
	@mkdir -p $(@D) && cp $< $@
$(WASM)/cursors.wasm: $(BUILD)/cargo/wasm32-unknown-unknown/release/cursors.wasm
	@mkdir -p $(@D) && cp $< $@
$(WASM)/relay-rust.wasm: $(BUILD)/cargo/wasm32-unknown-unknown/release/relay_rust.wasm
	@mkdir -p $(@D) && cp $< $@
$(WASM)/auth.wasm: $(BUILD)/cargo/wasm32-unknown-unknown/release/auth.wasm
	@mkdir -p $(@D) && cp $< $@
$(WASM)/yjs.wasm: $(BUILD)/cargo/wasm32-unknown-unknown/release/yjs.wasm
	@mkdir -p $(@D) && cp $< $@

# (the Makefile too: a change of the flags above rebuilds the guests)
C_SDK := guest-sdk-c/partyhost.h guest-sdk-c/partyhost.c Makefile
$(WASM)/counter.wasm: examples-wasm/counter/counter.c $(C_SDK) | $(TOOLCHAINS)
	@mkdir -p $(@D)
	$(CC_WASI) -o $@ $< guest-sdk-c/partyhost.c
$(WASM)/relay-c.wasm: examples-wasm/relay-c/relay.c $(C_SDK) | $(TOOLCHAINS)
	@mkdir -p $(@D)
	$(CC_WASM) -o $@ $< guest-sdk-c/partyhost.c
$(WASM)/webhook.wasm: examples-wasm/webhook/webhook.c $(C_SDK) | $(TOOLCHAINS)
	@mkdir -p $(@D)
	$(CC_WASM) -o $@ $< guest-sdk-c/partyhost.c

# Your own parties: `make rust-party DIR=path/to/crate [OUT=path/to/name.wasm]` and
# `make c-party SRC=path/to/party.c [C_LIBC=wasi]`; both write build/parties/NAME.wasm by default
# (NAME: the [package] name in Cargo.toml, or the C file's name).
PARTIES := $(BUILD)/parties
RUST_GUEST_FLAGS := -C link-arg=-zstack-size=16384 -C link-arg=--max-memory=16777216
# Debian's cargo cannot read a lock file of version 4 (cargo 1.78 and later write them): say so
# instead of cargo's own error. The .wasm cargo made is read from its JSON messages.
rust-party: | $(TOOLCHAINS)
	@test -n "$(DIR)" || { echo "usage: make rust-party DIR=path/to/crate [OUT=path/to/name.wasm]"; exit 2; }
	@if grep -qs '^version = [4-9]' $(DIR)/Cargo.lock; then \
	  echo "$(DIR)/Cargo.lock was written by a newer cargo than Debian's: delete it (a party without registry"; \
	  echo "dependencies loses nothing) and see guest-sdk-rust/README.md, Toolchain"; exit 1; fi
	@mkdir -p $(BUILD)/cargo-parties
	RUSTFLAGS="$(RUST_GUEST_FLAGS)" $(CARGO) build --release --target wasm32-unknown-unknown \
	  --manifest-path $(DIR)/Cargo.toml --target-dir $(BUILD)/cargo-parties \
	  --message-format=json-render-diagnostics > $(BUILD)/cargo-parties/messages.json
	@wasm=$$(sed -n 's/.*"filenames":\["\([^"]*\.wasm\)"\].*/\1/p' $(BUILD)/cargo-parties/messages.json | tail -n 1); \
	test -n "$$wasm" || { echo "$(DIR): cargo made no .wasm (crate-type = [\"cdylib\"] in [lib]?)"; exit 1; }; \
	name=$$(sed -n '/^\[package\]/,/^\[/s/^name *= *"\([^"]*\)".*/\1/p' $(DIR)/Cargo.toml | head -n 1); \
	out="$(or $(OUT),$(PARTIES)/$$name.wasm)"; \
	mkdir -p "$$(dirname "$$out")" && cp "$$wasm" "$$out" && echo "$$wasm -> $$out"
c-party: | $(TOOLCHAINS)
	@test -n "$(SRC)" || { echo "usage: make c-party SRC=path/to/party.c [C_LIBC=wasi]"; exit 2; }
	@mkdir -p $(PARTIES)
	$(if $(filter wasi,$(C_LIBC)),$(CC_WASI),$(CC_WASM)) -o $(PARTIES)/$(basename $(notdir $(SRC))).wasm \
	  $(SRC) guest-sdk-c/partyhost.c

# Plays a scenario file against a module (any language) in a host of its own, with a clock that
# moves only when the scenario says: `make test-party WASM=build/wasm/poll.wasm
# SCENARIO=examples-wasm/poll/poll.scenario`. README, "Testing a party".
test-party: $(JAR)
	@test -n "$(WASM)" -a -n "$(SCENARIO)" || { echo "usage: make test-party WASM=path/to/party.wasm SCENARIO=path/to/file.scenario"; exit 2; }
	java -jar $(JAR) test-party $(WASM) $(SCENARIO)

# ABI conformance modules and the host's own test guests, hand-written in WAT.
conformance: $(patsubst abi/conformance/%.wat,$(CONFORMANCE)/%.wasm,$(shell find abi/conformance -name '*.wat'))
$(CONFORMANCE)/%.wasm: abi/conformance/%.wat | $(TOOLCHAINS)
	@mkdir -p $(@D) && wat2wasm $< -o $@
test-wasm: $(patsubst host/src/test/wat/%.wat,$(TEST_WASM)/%.wasm,$(wildcard host/src/test/wat/*.wat)) \
           $(patsubst host/src/test/c/%.c,$(TEST_WASM)/%.wasm,$(wildcard host/src/test/c/*.c)) \
           $(TEST_WASM)/c-sdk-all-abi.wasm $(TEST_WASM)/rust-sdk-all-abi.wasm $(TEST_WASM)/rust-probe.wasm \
           $(patsubst host/src/test/wat-rejected/%.wat,$(TEST_WASM)-rejected/%.wasm,$(wildcard host/src/test/wat-rejected/*.wat))
$(TEST_WASM)/rust-sdk-all-abi.wasm: guest-sdk-rust/Cargo.toml $(shell find guest-sdk-rust/src guest-sdk-rust/all-abi -name '*.rs' -o -name Cargo.toml) | $(TOOLCHAINS)
	RUSTFLAGS="$(RUST_GUEST_FLAGS)" $(CARGO) build -q --release --target wasm32-unknown-unknown \
	  --manifest-path guest-sdk-rust/all-abi/Cargo.toml --target-dir $(BUILD)/cargo-all-abi
	@mkdir -p $(@D) && cp $(BUILD)/cargo-all-abi/wasm32-unknown-unknown/release/all_abi.wasm $@
# The Rust SDK's test guest for the host's tests, built as a party is (its folder is not its name).
$(TEST_WASM)/rust-probe.wasm: guest-sdk-rust/Cargo.toml $(shell find guest-sdk-rust/src host/src/test/rust -name '*.rs' -o -name Cargo.toml) | $(TOOLCHAINS)
	@$(MAKE) -s rust-party DIR=host/src/test/rust OUT=$@
$(TEST_WASM)/c-sdk-all-abi.wasm: guest-sdk-c/test/all_abi.c $(C_SDK) | $(TOOLCHAINS)
	@mkdir -p $(@D)
	$(CC_WASM) -o $@ $< guest-sdk-c/partyhost.c
$(TEST_WASM)/%.wasm: host/src/test/wat/%.wat | $(TOOLCHAINS)
	@mkdir -p $(@D) && wat2wasm $< -o $@
# Modules every host must refuse at upload: kept apart, since TestHost loads all of $(TEST_WASM).
$(TEST_WASM)-rejected/%.wasm: host/src/test/wat-rejected/%.wat | $(TOOLCHAINS)
	@mkdir -p $(@D) && wat2wasm $< -o $@
$(TEST_WASM)/%.wasm: host/src/test/c/%.c $(C_SDK) | $(TOOLCHAINS)
	@mkdir -p $(@D)
	$(CC_WASM) -o $@ $< guest-sdk-c/partyhost.c

# The README's node one-liner needs `ws` resolvable from the repository root (./package.json): `make run`
# installs it, and the tests run that line (ReadmeTest). Skipped, with a message, without Node.js.
TRY_DEPS := node_modules/.package-lock.json
try-deps:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(TRY_DEPS); else echo "no Node.js/npm: the README's node one-liner needs it"; fi
$(TRY_DEPS): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# --- the demo page -------------------------------------------------------------------------------
# examples-web/src, with partysocket bundled in by esbuild (both pinned by its package-lock.json),
# into build/web, which `make run` serves at / (--static); .gz copies for clients that take them.
WEB := $(BUILD)/web
WEB_DEPS := examples-web/node_modules/.package-lock.json
web: $(WEB)/index.html
$(WEB_DEPS): examples-web/package-lock.json
	npm ci --prefix examples-web --no-audit --no-fund --loglevel=error
$(WEB)/index.html: $(wildcard examples-web/src/*) $(WEB_DEPS)
	@mkdir -p $(WEB)
	examples-web/node_modules/.bin/esbuild examples-web/src/app.js --bundle --minify --format=esm \
	  --target=es2020 --log-level=warning --outfile=$(WEB)/app.js
	gzip -9 -k -f $(WEB)/app.js
	cp examples-web/src/style.css $(WEB)/ && gzip -9 -k -f $(WEB)/style.css
	cp examples-web/src/index.html $(WEB)/

# --- other test inputs ----------------------------------------------------------------------------
node-deps: host/src/test/node/node_modules/.package-lock.json $(TRY_DEPS)
host/src/test/node/node_modules/.package-lock.json: host/src/test/node/package-lock.json
	npm ci --prefix host/src/test/node --no-audit --no-fund --loglevel=error

# The SDKs' unit tests, natively: the Rust SDK's, the Rust examples' (for this machine's target,
# since their .cargo/config.toml says wasm32), the C SDK's encodings and its JSON (with sanitizers).
sdk-test: | $(TOOLCHAINS)
	$(CARGO) test -q --manifest-path guest-sdk-rust/Cargo.toml
	cd examples-wasm && $(CARGO) test -q --target $$(/usr/bin/rustc -vV | sed -n 's/^host: //p') \
	  --target-dir ../$(BUILD)/cargo-examples-test
	@mkdir -p $(BUILD)
	gcc -std=c11 -O2 -Wall -Wextra -o $(BUILD)/c-sdk-test guest-sdk-c/test/test_encoding.c
	$(BUILD)/c-sdk-test abi/conformance/encoding-vectors.txt
	gcc -std=c11 -O1 -g -Wall -Wextra -fsanitize=address,undefined -fno-sanitize-recover=all \
	  -o $(BUILD)/c-sdk-json guest-sdk-c/test/test_json.c -lm
	$(BUILD)/c-sdk-json

# The Rust SDK's Yjs codec is tested against updates made by yjs itself, kept in
# guest-sdk-rust/tests/yjs/fixtures: this rewrites them with the yjs pinned there (needs Node.js).
YJS_GEN := guest-sdk-rust/tests/yjs
yjs-fixtures:
	npm ci --prefix $(YJS_GEN) --no-audit --no-fund --loglevel=error
	node $(YJS_GEN)/gen.mjs

clean:
	rm -rf $(BUILD) host/target host/.cifuzz-corpus
