# SPDX-License-Identifier: GPL-2.0
#
# alba: the one entry point. `make help` lists the targets.
#
# Userspace: `make` builds build/lib/libalba.{a,so} (TARGET=windows:
# build/win/lib with mingw-w64). Tests: `make check`.

O		?= build
PREFIX		?= /usr/local
TARGET		?= linux
VERSION		:= $(shell cat VERSION)

CORE_SRC	:= $(wildcard core/*.c)
CORE		:= $(CORE_SRC) user/prim/prim.c user/hooks.c
HDRS		:= $(wildcard core/*.h) user/plat.h \
		   $(wildcard user/*.c user/prim/*.c) kunit/harness/include/kunit/test.h \
		   tests/user/helpers.h kunit/alba_kunit.h kunit/kunit_compat.h \
		   kunit/world/world.h
SUITE		:= kunit/alba_kunit.c kunit/world/user.c
USER_TESTS	:= tests/user/threads.c tests/user/faults.c tests/user/hooks.c \
		   tests/user/source.c tests/user/pcpu.c
HARNESS		:= kunit/harness/kunit.c

WARN		:= -Wall -Wextra -Werror
LIB_CFLAGS	:= -std=gnu11 -O2 -g $(WARN) -Icore -Iuser
TEST_CFLAGS	:= -std=gnu11 -g $(WARN) -Wno-sign-compare \
		   -Icore -Iuser -Itests/user -Ikunit/harness/include
MINGW		:= x86_64-w64-mingw32-gcc
MINGW_AR	:= x86_64-w64-mingw32-ar
MINGW_CFLAGS	:= -D__USE_MINGW_ANSI_STDIO=1

export WINEDEBUG := -all
export WINEPREFIX := $(abspath $(O))/wineprefix
RUN		:= scripts/run-ktap.sh

# The kernel for `make modules`: the running kernel's build dir, else the
# newest installed Debian headers. The tests take their kernels from the
# matrix instead (scripts/kernels.conf); KVER picks one of its rows for
# the targets that run on one kernel, by default Debian bookworm's.
KDIR		?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
		     $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))
ifeq ($(origin KVER),undefined)
KVER		:= $(shell bash scripts/lib.sh kernel_default)
endif
KERNELS		:= $(shell bash scripts/lib.sh kernels)

.PHONY: all lib man dist deb check-deb help install check check-user check-windows check-ktap \
	check-install deps-user deps-windows clean modules modules_install \
	bench check-bench kbench soak fuzz check-fuzz \
	dkms-install check-dkms lint kunit kunit-plain kunit-debug kunit-smp \
	kunit-debugmode kunit-rt qemu-test qemu-test-rt demo check-kernels \
	check-quick check-fresh \
	$(addprefix check-kernel-,$(KERNELS))
.DEFAULT_GOAL := all

## make                 the userspace library (build/lib) and, with
##                      kernel headers, alba.ko and the sample
all: lib
	@if [ -n "$(KDIR)" ]; then $(MAKE) --no-print-directory modules; \
	else echo "no kernel headers (KDIR): userspace library only"; fi

# `make help` prints the "## " comments of this file, in its order.
help:
	@echo 'alba make targets'
	@echo
	@sed -n 's/^## /  /p' $(firstword $(MAKEFILE_LIST)) | \
		sed -e 's|$$(KERNELS)|$(KERNELS)|' -e 's|$$(CHECKS)|$(CHECKS)|' -e 's|$$(O)|$(O)|'
	@echo
	@echo 'Variables: O=$(O) PREFIX=$(PREFIX) TARGET=$(TARGET) KDIR=$(KDIR) KVER=$(KVER)'

# ---- the library -----------------------------------------------------------

# One version (VERSION) names everything: the module, dkms.conf, alba.pc,
# the CMake version file, the SONAME's major and the packages.
MAJOR		:= $(firstword $(subst ., ,$(VERSION)))
SONAME		:= libalba.so.$(MAJOR)
INSTALL_LIB	?= $(PREFIX)/lib

LIBDIR		:= $(O)/$(if $(filter windows,$(TARGET)),win/)lib
LIB_OBJS	:= $(patsubst core/%.c,$(LIBDIR)/%.o,$(CORE_SRC)) $(LIBDIR)/prim.o \
		   $(LIBDIR)/hooks.o
ifeq ($(TARGET),windows)
LIB_CC		:= $(MINGW) $(LIB_CFLAGS) $(MINGW_CFLAGS)
LIB_AR		:= $(MINGW_AR)
LIB_FILES	:= $(LIBDIR)/libalba.a $(LIBDIR)/alba.dll $(LIBDIR)/libalba.dll.a
else
LIB_CC		:= $(CC) $(LIB_CFLAGS) $(CPPFLAGS) $(CFLAGS) -fPIC
LIB_AR		:= $(AR)
LIB_FILES	:= $(LIBDIR)/libalba.a $(LIBDIR)/libalba.so.$(VERSION)
endif

$(LIBDIR)/%.o: core/%.c $(HDRS)
	@mkdir -p $(@D)
	$(LIB_CC) -c -o $@ $<

$(LIBDIR)/prim.o: user/prim/prim.c $(HDRS)
	@mkdir -p $(@D)
	$(LIB_CC) -c -o $@ $<

$(LIBDIR)/hooks.o: user/hooks.c $(HDRS)
	@mkdir -p $(@D)
	$(LIB_CC) -c -o $@ $<

$(LIBDIR)/libalba.a: $(LIB_OBJS)
	rm -f $@
	$(LIB_AR) rcs $@ $^

# The shared library and the DLL export alba.h's functions and nothing
# else: the core's and the platform's internal functions stay inside.
$(LIBDIR)/libalba.map: core/alba.h scripts/api.sh
	@mkdir -p $(@D)
	{ echo '{ global:'; scripts/api.sh user | sed 's/$$/;/'; echo 'local: *; };'; } >$@

$(LIBDIR)/libalba.so.$(VERSION): $(LIB_OBJS) $(LIBDIR)/libalba.map
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=$(LIBDIR)/libalba.map \
		$(LDFLAGS) -o $@ $(LIB_OBJS) -pthread
	ln -sf libalba.so.$(VERSION) $(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(LIBDIR)/libalba.so

$(LIBDIR)/alba.def: core/alba.h scripts/api.sh
	@mkdir -p $(@D)
	{ echo EXPORTS; scripts/api.sh windows; } >$@

$(LIBDIR)/alba.dll $(LIBDIR)/libalba.dll.a &: $(LIB_OBJS) $(LIBDIR)/alba.def
	$(MINGW) -shared -o $(LIBDIR)/alba.dll $(LIB_OBJS) \
		$(LIBDIR)/alba.def -Wl,--out-implib,$(LIBDIR)/libalba.dll.a -static-libgcc

lib: $(LIB_FILES)

# Man pages, section 3, one per function, from the kernel-doc comments.
# Userspace's own kernel-doc first: the first comment of a name wins.
MAN_SRC		:= user/pcpu.c core/alba.h $(CORE_SRC) kmod/alba_pcpu.c user/hooks.c user/source.c
## make man             man pages from the kernel-doc comments ($(O)/man)
man: $(O)/man/.stamp
$(O)/man/.stamp: scripts/man.py $(MAN_SRC) VERSION
	@rm -rf $(O)/man/man3
	python3 scripts/man.py $(VERSION) $(O)/man/man3 $(MAN_SRC)
	@touch $@

## make install PREFIX=DIR [TARGET=windows]
##                      install alba.h, libalba, alba.pc, the CMake
##                      config (alba::alba) and the man pages
install: lib man
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(INSTALL_LIB)/pkgconfig \
		$(DESTDIR)$(INSTALL_LIB)/cmake/alba $(DESTDIR)$(PREFIX)/share/man/man3
	install -m 644 core/alba.h core/alba_types.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(LIBDIR)/libalba.a $(DESTDIR)$(INSTALL_LIB)/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(INSTALL_LIB)|' \
		-e 's|@VERSION@|$(VERSION)|' user/alba.pc.in \
		> $(DESTDIR)$(INSTALL_LIB)/pkgconfig/alba.pc
	sed -e 's|@VERSION@|$(VERSION)|' user/alba-config-version.cmake.in \
		> $(DESTDIR)$(INSTALL_LIB)/cmake/alba/alba-config-version.cmake
	install -m 644 $(O)/man/man3/*.3 $(DESTDIR)$(PREFIX)/share/man/man3/
ifeq ($(TARGET),windows)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(LIBDIR)/alba.dll $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(LIBDIR)/libalba.dll.a $(DESTDIR)$(INSTALL_LIB)/
	sed -e 's|@SHARED@|$${_alba_prefix}/bin/alba.dll|' \
		-e 's|@IMPLIB@|$${_alba_libdir}/libalba.dll.a|' \
		user/alba-config.cmake.in > $(DESTDIR)$(INSTALL_LIB)/cmake/alba/alba-config.cmake
else
	install -m 755 $(LIBDIR)/libalba.so.$(VERSION) $(DESTDIR)$(INSTALL_LIB)/
	ln -sf libalba.so.$(VERSION) $(DESTDIR)$(INSTALL_LIB)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(INSTALL_LIB)/libalba.so
	sed -e 's|@SHARED@|$${_alba_libdir}/$(SONAME)|' -e 's|@IMPLIB@||' \
		user/alba-config.cmake.in > $(DESTDIR)$(INSTALL_LIB)/cmake/alba/alba-config.cmake
endif

# A source tarball with the same bytes every time: the files git tracks,
# sorted, owned by nobody in particular, dated SOURCE_DATE_EPOCH (by
# default the last commit's time), compressed without a timestamp.
## make dist            a reproducible source tarball ($(O))
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
DIST		:= $(O)/alba-$(VERSION).tar.gz
dist:
	@mkdir -p $(O)
	git ls-files -z | tar --null -T - --sort=name --transform 's|^|alba-$(VERSION)/|' \
		--mtime=@$(SOURCE_DATE_EPOCH) --owner=0 --group=0 --numeric-owner \
		--mode=u+rw,go+r,go-w -cf - | gzip -9n > $(DIST)
	@echo "dist: $(DIST) ($$(sha256sum $(DIST) | cut -c1-16)...)"

# Debian packages: alba-dkms, libalba0, libalba-dev, in $(O)/deb.
## make deb             alba-dkms, libalba0, libalba-dev ($(O)/deb)
deb:
	@scripts/deb.sh build

## make check-deb       make deb, lintian, and install them in Debian roots
check-deb:
	@scripts/deb.sh check

# ---- the kernel module -------------------------------------------------------

## make modules         alba.ko and samples/alba_sample.ko (KDIR=...)
modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/samples \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/bench/kbench \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers modules

## make modules_install install alba.ko into /lib/modules/.../extra
modules_install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

DKMS_VERSION := $(VERSION)
## make dkms-install    register, build and install with DKMS
dkms-install:
	@scripts/deps.sh kernel
	rm -rf /usr/src/alba-$(DKMS_VERSION)
	$(MAKE) --no-print-directory module-src DEST=/usr/src/alba-$(DKMS_VERSION)
	dkms add alba/$(DKMS_VERSION) 2>/dev/null || true
	dkms build alba/$(DKMS_VERSION) -k $(notdir $(patsubst %/build,%,$(KDIR)))
	dkms install alba/$(DKMS_VERSION) -k $(notdir $(patsubst %/build,%,$(KDIR)))

# The module's sources and dkms.conf, staged in DEST: for dkms-install,
# the Debian package and the kernel scripts.
## make module-src DEST=dir
##                      stage the module's sources and dkms.conf in dir
MODULE_SRC	:= Kbuild VERSION $(wildcard core/*.[ch]) kmod/Kconfig kmod/Kbuild.compat \
		   $(filter-out %.mod.c,$(wildcard kmod/*.[ch]))
module-src:
	@test -n "$(DEST)" || { echo 'usage: make module-src DEST=dir' >&2; exit 1; }
	@mkdir -p $(DEST)
	cp --parents $(MODULE_SRC) $(DEST)/
	sed 's/@VERSION@/$(VERSION)/' dkms.conf.in >$(DEST)/dkms.conf

## make check-dkms      dkms build against KVER's Debian headers
check-dkms:
	@scripts/kernel.sh $(KVER) dkms

## make lint            checkpatch --strict, sparse (C=2), kernel-doc (KVER)
lint:
	@scripts/kernel.sh $(KVER) lint

# The KUnit runs the matrix lists for KVER.
## make kunit           the suite in kernel KVER: its UML and QEMU configs
kunit:
	@scripts/kernel.sh $(KVER) $(shell bash scripts/lib.sh kernel_steps $(KVER) kunit)

## make kunit-plain|-debug|-debugmode|-smp|-rt   one of them (KVER)
kunit-plain kunit-debug kunit-smp kunit-debugmode kunit-rt:
	@scripts/kunit.sh $(subst kunit-,,$@) $(KVER)

## make qemu-test       insmod in Debian's KVER under QEMU -smp 2, 50 cycles
qemu-test:
	@scripts/qemu-test.sh test $(KVER)

## make qemu-test-rt    the same in its -rt-amd64 (PREEMPT_RT) image
qemu-test-rt:
	@scripts/qemu-test.sh test $(KVER) rt

## make check-kernels   every check on every kernel of the matrix
##                      (scripts/kernels.conf: $(KERNELS))
check-kernels:
	@scripts/check-kernels.sh

## make check-kernel-V  every check on kernel V
$(addprefix check-kernel-,$(KERNELS)):
	@scripts/kernel.sh $(subst check-kernel-,,$@)

## make bench           alba against the floors and peers: bench/results.md,
##                      bench/results.png (make check runs a smoke round)
bench:
	@scripts/bench.sh

check-bench:
	@scripts/bench.sh --smoke

## make kbench          alba against kmalloc, kmem_cache, page_frag: UML and QEMU
kbench:
	@scripts/kbench.sh

## make fuzz            the libFuzzer target for FUZZ_TIME seconds (600);
##                      make check runs it for 60
FUZZ_TIME ?= 600
fuzz:
	@scripts/fuzz.sh $(FUZZ_TIME)

check-fuzz:
	@scripts/fuzz.sh 60

## make soak            1e8 mixed operations over 4 threads with resets and
##                      rewinds (SOAK_OPS=...); make check runs 1e6 under
##                      ASan and TSan
SOAK_OPS ?= 100000000
soak: deps-user $(O)/gcc-O2/alba_soak
	@$(RUN) soak $(O)/gcc-O2/alba_soak $(SOAK_OPS); cat $(O)/results/soak.ktap

## make demo            boot Debian's kernel KVER in QEMU, load alba and the
##                      sample, print the stats and the block map, unload
demo:
	@scripts/qemu-test.sh demo $(KVER)

# ---- test builds: one template, one build folder per variant --------------

# $(call variant,NAME,CC,CFLAGS,LDFLAGS,EXE)
define variant
$(O)/$(1)/alba_kunit$(5): $(SUITE) $(HARNESS) $(CORE) $(HDRS)
	@mkdir -p $$(@D)
	$(2) $(TEST_CFLAGS) $(3) -o $$@ $(SUITE) $(HARNESS) $(CORE) $(4)

$(O)/$(1)/alba_user_tests$(5): $(USER_TESTS) $(HARNESS) $(CORE) $(HDRS)
	@mkdir -p $$(@D)
	$(2) $(TEST_CFLAGS) $(3) -o $$@ $(USER_TESTS) $(HARNESS) $(CORE) $(4)

$(O)/$(1)/alba_soak$(5): tests/user/soak.c $(CORE) $(HDRS)
	@mkdir -p $$(@D)
	$(2) $(TEST_CFLAGS) $(3) -o $$@ tests/user/soak.c $(CORE) $(4)

$(O)/$(1)/alba_asan$(5): tests/user/asan.c $(CORE) $(HDRS)
	@mkdir -p $$(@D)
	$(2) $(TEST_CFLAGS) $(3) -o $$@ tests/user/asan.c $(CORE) $(4)
endef

comma		:= ,
SAN		:= -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all
$(eval $(call variant,gcc-asan,gcc,$(SAN) -fsanitize=address$(comma)undefined,-pthread,))
$(eval $(call variant,clang,clang,-O2,-pthread,))
$(eval $(call variant,gcc-m32,gcc,-m32 -O2,-pthread,))
$(eval $(call variant,musl,musl-gcc,-O2,-pthread,))
$(eval $(call variant,clang-tsan,clang,-O1 -fsanitize=thread,-pthread,))
# Linux built as if not ELF: the per-thread sets' entry behind a key, as
# on Windows and macOS (no inline path), under TSan.
$(eval $(call variant,clang-tsan-noelf,clang,-O1 -fsanitize=thread -U__ELF__,-pthread,))
# Debug mode (red zones, written and walked under the lock) under TSan.
$(eval $(call variant,clang-tsan-debug,clang,-O1 -fsanitize=thread -DALBA_DEBUG,-pthread,))
$(eval $(call variant,valgrind,gcc,-O1,-pthread,))
$(eval $(call variant,gcc-O2,gcc,-O2,-pthread,))
$(eval $(call variant,gcc-asan-debug,gcc,$(SAN) -fsanitize=address$(comma)undefined -DALBA_DEBUG,-pthread,))

$(O)/gcc-asan-debug/alba_debug: kunit/alba_debug_kunit.c $(HARNESS) $(CORE) $(HDRS)
	@mkdir -p $(@D)
	gcc $(TEST_CFLAGS) $(SAN) -fsanitize=address,undefined -DALBA_DEBUG -o $@ \
		kunit/alba_debug_kunit.c $(HARNESS) $(CORE) -pthread
$(eval $(call variant,mingw,$(MINGW),-O2 $(MINGW_CFLAGS),-static,.exe))

# Does this kernel execute i386 code? (scripts/run-m32.sh)
$(O)/gcc-m32/probe:
	@mkdir -p $(@D)
	echo 'int main(void) { return 0; }' | gcc -m32 -x c -o $@ -

# The variants that run the whole suite and the threaded tests.
SUITE_VARIANTS := gcc-asan clang gcc-m32 musl
USER_BINS := $(O)/gcc-m32/probe $(foreach v,$(SUITE_VARIANTS),\
		$(O)/$(v)/alba_kunit $(O)/$(v)/alba_user_tests) \
	     $(O)/clang-tsan/alba_user_tests $(O)/clang-tsan-noelf/alba_user_tests \
	     $(O)/clang-tsan-debug/alba_user_tests \
	     $(O)/valgrind/alba_kunit \
	     $(O)/gcc-asan/alba_soak $(O)/clang-tsan/alba_soak \
	     $(O)/gcc-asan/alba_asan $(O)/gcc-asan-debug/alba_debug \
	     $(O)/gcc-asan-debug/alba_asan $(O)/gcc-asan-debug/alba_user_tests
WIN_BINS := $(O)/mingw/alba_kunit.exe $(O)/mingw/alba_user_tests.exe

deps-user:
	@scripts/deps.sh user

deps-windows:
	@scripts/deps.sh windows

VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full \
	    --errors-for-leak-kinds=definite

## make check-user      the suite and userspace tests: gcc+ASan+UBSan,
##                      clang, -m32, musl, TSan, valgrind
check-user: deps-user
	@$(MAKE) --no-print-directory $(USER_BINS)
	@rc=0; \
	for v in $(SUITE_VARIANTS); do \
		x=; [ $$v = gcc-m32 ] && x="scripts/run-m32.sh $(O)/gcc-m32/probe"; \
		$(RUN) user-$$v-suite $$x $(O)/$$v/alba_kunit || rc=1; \
		$(RUN) user-$$v-tests $$x $(O)/$$v/alba_user_tests || rc=1; \
	done; \
	TSAN_OPTIONS=halt_on_error=1 \
		$(RUN) user-clang-tsan-tests $(O)/clang-tsan/alba_user_tests || rc=1; \
	TSAN_OPTIONS=halt_on_error=1 \
		$(RUN) user-clang-tsan-noelf-tests $(O)/clang-tsan-noelf/alba_user_tests || rc=1; \
	TSAN_OPTIONS=halt_on_error=1 \
		$(RUN) user-clang-tsan-debug-tests $(O)/clang-tsan-debug/alba_user_tests || rc=1; \
	$(RUN) user-valgrind-suite $(VALGRIND) $(O)/valgrind/alba_kunit || rc=1; \
	$(RUN) user-gcc-asan-soak $(O)/gcc-asan/alba_soak 1000000 || rc=1; \
	$(RUN) user-gcc-asan-poison scripts/asan-check.sh $(O)/gcc-asan/alba_asan || rc=1; \
	$(RUN) user-debug-suite $(O)/gcc-asan-debug/alba_debug || rc=1; \
	$(RUN) user-debug-tests $(O)/gcc-asan-debug/alba_user_tests || rc=1; \
	$(RUN) user-debug-poison scripts/asan-check.sh $(O)/gcc-asan-debug/alba_asan || rc=1; \
	TSAN_OPTIONS=halt_on_error=1 \
		$(RUN) user-clang-tsan-soak $(O)/clang-tsan/alba_soak 1000000 || rc=1; \
	exit $$rc
	@$(MAKE) --no-print-directory check-ktap

## make check-windows   mingw-w64 build under wine, both block paths
check-windows: deps-windows
	@$(MAKE) --no-print-directory $(WIN_BINS)
	@scripts/wine-init.sh
	@rc=0; \
	for path in virtualalloc2 fallback; do \
		fb=; [ $$path = fallback ] && fb=1; \
		ALBA_WIN_FALLBACK=$$fb $(RUN) windows-$$path-suite \
			wine $(O)/mingw/alba_kunit.exe || rc=1; \
		ALBA_WIN_FALLBACK=$$fb $(RUN) windows-$$path-tests \
			wine $(O)/mingw/alba_user_tests.exe || rc=1; \
	done; \
	exit $$rc

# The userspace KTAP must be what the kernel's own parser accepts (the
# default kernel's kunit.py).
check-ktap:
	@scripts/kernel-fetch.sh $(KVER) source || exit 1; . $(O)/kernels/$(KVER)/row.env; \
	rc=0; for f in $(RESULTS)/user-gcc-asan-suite.ktap \
			$(RESULTS)/user-gcc-asan-tests.ktap; do \
		python3 $$SRC/tools/testing/kunit/kunit.py parse $$f > $$f.parsed 2>&1 && \
			echo "ok   kunit.py parse $$f: $$(grep -o 'Testing complete.*' $$f.parsed)" || \
			{ echo "FAIL kunit.py parse $$f"; tail -20 $$f.parsed; rc=1; }; \
	done; exit $$rc

## make check-install   install, then build a program with pkg-config
##                      on Linux and for Windows, and run it
check-install: deps-user deps-windows
	@scripts/check-install.sh

CHECKS := check-user check-windows check-install check-bench check-fuzz \
	  check-deb check-kernels

# Every step is timed (scripts/timed.sh; .ci/run prints the table). The
# kernels, their sources and the Debian roots are fetched in the
# background meanwhile (scripts/prefetch.sh): the CPU compiles while the
# network works.
export RESULTS := $(abspath $(O))/results
#
# check-kernels' KUnit lane (kernel builds, the longest part) starts at
# once, in the background, beside the userspace checks, which leave a CPU
# idle for much of their time (libFuzzer, wine, mmdebstrap); its steps wait
# for their kernel's fetch. check-kernels then runs the other lane and
# waits for it (scripts/check-kernels.sh).
## make check           every test on every platform (what CI runs):
##                      $(CHECKS)
check:
	@rm -rf $(O)/results
	@mkdir -p $(O)
	@scripts/deps.sh all
	@rc=0; \
	scripts/timed.sh "fetch every kernel (background)" scripts/prefetch.sh \
		>$(O)/prefetch.log 2>&1 & \
	scripts/check-kernels.sh --start-kunit; \
	scripts/timed.sh "make lib" $(MAKE) --no-print-directory lib || rc=1; \
	for t in $(CHECKS); do \
		echo "== make $$t"; \
		scripts/timed.sh "make $$t" $(MAKE) --no-print-directory $$t || \
			{ rc=1; echo "== make $$t FAILED"; }; \
	done; \
	wait; \
	echo "make check: $$(scripts/ktap-count.sh $(O)/results/*.ktap)"; \
	exit $$rc

# The loop while working: the userspace matrix, Windows, and the suite
# under UML on the default kernel.
## make check-quick     the loop while working: check-user, check-windows
##                      and kunit-plain on KVER
check-quick:
	@rm -rf $(O)/results
	@rc=0; \
	for t in check-user check-windows kunit-plain; do \
		scripts/timed.sh "make $$t" $(MAKE) --no-print-directory $$t || rc=1; \
	done; \
	scripts/timed.sh --table; \
	echo "make check-quick: $$(scripts/ktap-count.sh $(O)/results/*.ktap)"; \
	exit $$rc

# .ci/run as CI runs it, on a new machine: in a bookworm root with nothing
# installed but git, make, gcc and python3 (scripts/fresh.sh).
## make check-fresh     .ci/run on a fresh clone in a bare bookworm root
check-fresh:
	@scripts/fresh.sh

## make clean           remove build/
clean:
	rm -rf $(O)
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null 2>&1
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/samples clean >/dev/null 2>&1
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/bench/kbench clean >/dev/null 2>&1
