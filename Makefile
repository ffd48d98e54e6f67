# closeup — build, test, install, demo. `make test` is what CI runs.
PREFIX ?= /usr/local
SWIFT ?= swift
# A static Swift runtime halves process start-up (see README, Performance).
# The commit goes into --version (build_info.h); "" outside a git checkout.
COMMIT := $(shell c=$$(git rev-parse --short=12 HEAD 2>/dev/null) && { git diff --quiet HEAD 2>/dev/null || c=$$c-dirty; echo $$c; })
RELEASE_FLAGS = -c release --static-swift-stdlib -Xcc -DCLOSEUP_COMMIT='"$(COMMIT)"'
DEB_PACKAGES = libhiredis-dev libsqlite3-dev libssl-dev redis-server redis-tools \
	groff-base mandoc man-db zsh fish bash-completion lintian dpkg-dev python3 time jq strace
BIN = .build/release/closeup

.PHONY: all deps build test install install-files completion-dirs commit deb deb-package uninstall demo docs bench fuzz clean

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

# The release build first: the package test installs it (DebPackageTests).
test: deps
	$(SWIFT) build $(RELEASE_FLAGS)
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Where Debian's shells read completions for this PREFIX. zsh's fpath holds
# /usr/local/share/zsh/site-functions and /usr/share/zsh/vendor-completions; fish
# reads /usr/share/fish/vendor_completions.d, and /etc/fish/completions for local
# installs (it reads /usr/local/share only when XDG_DATA_DIRS names it); bash-completion
# reads PREFIX/share/bash-completion/completions for /usr and /usr/local alike.
BASH_COMPLETIONS = $(PREFIX)/share/bash-completion/completions
ifeq ($(PREFIX),/usr)
ZSH_COMPLETIONS = $(PREFIX)/share/zsh/vendor-completions
FISH_COMPLETIONS = $(PREFIX)/share/fish/vendor_completions.d
else
ZSH_COMPLETIONS = $(PREFIX)/share/zsh/site-functions
FISH_COMPLETIONS = /etc/fish/completions
endif

# The binary, the man page, and the completions where Debian's man, bash, zsh and fish look.
install: build install-files

install-files:
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(BASH_COMPLETIONS) $(DESTDIR)$(ZSH_COMPLETIONS) $(DESTDIR)$(FISH_COMPLETIONS)
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/closeup
	install -m 0644 man/closeup.1 $(DESTDIR)$(PREFIX)/share/man/man1/closeup.1
	install -m 0644 completions/closeup.bash $(DESTDIR)$(BASH_COMPLETIONS)/closeup
	install -m 0644 completions/_closeup $(DESTDIR)$(ZSH_COMPLETIONS)/_closeup
	install -m 0644 completions/closeup.fish $(DESTDIR)$(FISH_COMPLETIONS)/closeup.fish
	@echo "installed closeup in $(PREFIX)/bin, its man page in $(PREFIX)/share/man/man1, completions for"
	@echo "  bash in $(BASH_COMPLETIONS), zsh in $(ZSH_COMPLETIONS), fish in $(FISH_COMPLETIONS)"

# A Debian package of the release build (packaging/build-deb.sh); `deb-package` packages
# $(BIN) as it is, without building.
VERSION := $(shell sed -n 's/.*static let version = "\(.*\)"/\1/p' Sources/CloseupCLI/CLI/CommandTable.swift)
deb: build deb-package

deb-package:
	@packaging/build-deb.sh $(BIN) dist $(VERSION)

# The commit --version names for a build made now.
commit:
	@echo $(COMMIT)

# The completion folders for this PREFIX, one a line: bash, zsh, fish (for tests and packagers).
completion-dirs:
	@echo $(BASH_COMPLETIONS); echo $(ZSH_COMPLETIONS); echo $(FISH_COMPLETIONS)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/closeup $(DESTDIR)$(PREFIX)/share/man/man1/closeup.1 \
	  $(DESTDIR)$(BASH_COMPLETIONS)/closeup $(DESTDIR)$(ZSH_COMPLETIONS)/_closeup $(DESTDIR)$(FISH_COMPLETIONS)/closeup.fish

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
