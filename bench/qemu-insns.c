// SPDX-License-Identifier: GPL-2.0
/*
 * qemu-insns.c - a QEMU TCG plugin that counts the guest instructions executed
 * between kbench's markers (kbench_mark() in alba_kbench.c: the 8-byte nop
 * "nopl 0x0a1ba00N(%rax,%rax,1)", N the phase), for a count that neither
 * the host's load nor TCG's speed changes.
 *
 * Built by scripts/kbench.sh against include/qemu/qemu-plugin.h of the
 * source package of the QEMU Debian ships (the plugin API is checked by
 * version at load). Every guest instruction adds one to a counter (inline,
 * no call); each marker prints "alba_insns: <phase> <instructions since
 * the previous marker>" with qemu_plugin_outs(). Counts are exact with
 * one vCPU (-smp 1); with -icount the guest's timer interrupts, which
 * land between markers too, come at the same instructions every run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MARK_DISP	0x0a1ba000u
#define MARK_PHASES	4

static uint64_t insns, last;

static void marker(unsigned int vcpu, void *udata)
{
	char line[64];

	(void)vcpu;
	snprintf(line, sizeof(line), "alba_insns: %u %" PRIu64 "\n",
		 (unsigned int)(uintptr_t)udata, insns - last);
	qemu_plugin_outs(line);
	last = insns;
}

/* The phase of a kbench marker, or -1: 0f 1f 84 00 and the displacement. */
static int phase_of(const struct qemu_plugin_insn *insn)
{
	const unsigned char *b = qemu_plugin_insn_data(insn);
	uint32_t disp;

	if (qemu_plugin_insn_size(insn) != 8 ||
	    memcmp(b, "\x0f\x1f\x84\x00", 4))
		return -1;
	disp = b[4] | b[5] << 8 | b[6] << 16 | (uint32_t)b[7] << 24;
	if (disp - MARK_DISP >= MARK_PHASES)
		return -1;
	return (int)(disp - MARK_DISP);
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	int phase;

	(void)id;
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		qemu_plugin_register_vcpu_insn_exec_inline(insn,
			QEMU_PLUGIN_INLINE_ADD_U64, &insns, 1);
		phase = phase_of(insn);
		if (phase >= 0)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, marker,
				QEMU_PLUGIN_CB_NO_REGS,
				(void *)(uintptr_t)phase);
	}
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (strcmp(info->target_name, "x86_64"))
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	return 0;
}
