# closeup — build, test, install, demo. `make test` is what CI runs.
PREFIX ?= /usr/local
SWIFT ?= swift
# A static Swift runtime halves process start-up (see README, Performance).
RELEASE_FLAGS = -c release --static-swift-stdlib
DEB_PACKAGES = libhiredis-dev libsqlite3-dev libssl-dev redis-server redis-tools \
	groff-base mandoc zsh fish python3 time jq strace
BIN = .build/release/closeup

.PHONY: all deps build test install uninstall demo docs bench fuzz clean

all: build

# Installs the Debian packages closeup builds against and tests with, when missing.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build $(RELEASE_FLAGS)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The binary, the man page, and the completions where Debian's man, bash, zsh and fish look.
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/closeup
	install -m 0644 man/closeup.1 $(DESTDIR)$(PREFIX)/share/man/man1/closeup.1
	install -m 0644 completions/closeup.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/closeup
	install -m 0644 completions/_closeup $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_closeup
	install -m 0644 completions/closeup.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/closeup.fish

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/closeup $(DESTDIR)$(PREFIX)/share/man/man1/closeup.1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/closeup \
	  $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_closeup \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/closeup.fish

# closeup against redis-cli, redis-py, a minimal hiredis client and the server's own time, in one run;
# writes bench/results.md.
bench: build
	@python3 -c 'import redis' 2>/dev/null || python3 -m pip install --quiet redis
	@command -v hyperfine >/dev/null && command -v strace >/dev/null && command -v cc >/dev/null || \
	  { if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq hyperfine strace gcc >/dev/null; }
	bench/run.sh $(BIN)

# libFuzzer + AddressSanitizer on the parsers and the reply path, FUZZ_SECONDS (60) each.
fuzz: deps
	Tests/Fuzz/run.sh

# Rewrites man/ and completions/ from the command table (then review and commit).
docs:
	CLOSEUP_RECORD=1 $(SWIFT) test --filter shippedFileMatchesTheTable || true

# The main job on the embedded default (no Redis), then against a throwaway redis-server.
demo: build
	@scripts/demo.sh $(BIN)

clean:
	rm -rf .build
