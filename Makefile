# closeup — build, test, install, demo. `make test` is what CI runs.
PREFIX ?= /usr/local
SWIFT ?= swift
# A static Swift runtime halves process start-up (see README, Performance).
RELEASE_FLAGS = -c release --static-swift-stdlib
DEB_PACKAGES = libhiredis-dev libsqlite3-dev libssl-dev redis-server redis-tools
BIN = .build/release/closeup

.PHONY: all deps build test install uninstall demo clean

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

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/closeup

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/closeup

# The main job on the embedded default (no Redis), then against a throwaway redis-server.
demo: build
	@scripts/demo.sh $(BIN)

clean:
	rm -rf .build
