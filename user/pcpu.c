// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pcpu.c - per-thread sets, userspace's alba_pcpu (the kernel's twin is
 * kmod/alba_pcpu.c). Part of the platform prim/prim.c builds as one unit.
 */
/*
 * Per-thread cursors: userspace's alba_pcpu. "CPU" is the calling thread:
 * each thread gets its own cursor the first time it allocates through a
 * set (a slot, listed in the set), found again through an OS thread-local
 * key, and retired when the thread exits or at alba_pcpu_drain() and
 * alba_pcpu_destroy(). A one-entry thread-local cache in front of the key
 * (the set the thread used last, and its cursor) keeps the common case to
 * a compare. An entry names a set only while the thread's slot of it
 * lives: alba_pcpu_destroy() resets every entry that names the set (each
 * slot knows its thread's entry), so that a new set at a freed one's
 * address is never mistaken for it.
 */
#if !defined(__ELF__)
struct alba_pcpu_last {		/* alba.h's, where the fast path is inline */
	const struct alba_pcpu *pc;
	unsigned long id;
	struct alba_cursor *cur;
};
#endif

struct alba_pcpu_slot {
	struct alba_cursor cur;
	struct alba_pcpu *pc;
	struct alba_pcpu_last *entry;	/* its thread's tl_last */
	struct alba_pcpu_slot *next;
};

struct alba_pcpu {
	unsigned long id;		/* first: 0.2.0 alba.h's inline path reads it */
	struct alba *arena;
	size_t chunk;
	alba_os_tls_t key;
	alba_plat_lock_t lock;		/* guards @slots */
	struct alba_pcpu_slot *slots;
};

#ifdef _WIN32
#define TLS_FAST	__thread
#else
#define TLS_FAST	__thread __attribute__((tls_model("initial-exec")))
#endif

/* An entry that names no set. */
#define NO_SET	((const struct alba_pcpu *)1)

#if defined(__ELF__)
/* alba.h's inline alba_pcpu_alloc() reads it: see there. */
TLS_FAST struct alba_pcpu_last alba_pcpu_last = { .pc = NO_SET };
#define tl_last alba_pcpu_last
#else
static TLS_FAST struct alba_pcpu_last tl_last = { .pc = NO_SET };
#endif

static unsigned long pcpu_ids;

static void slot_unlink(struct alba_pcpu *pc, struct alba_pcpu_slot *slot)
{
	struct alba_pcpu_slot **link;

	for (link = &pc->slots; *link; link = &(*link)->next) {
		if (*link == slot) {
			*link = slot->next;
			return;
		}
	}
}

/* At thread exit (and, on Windows, when the key is freed). */
static void slot_dtor(void *arg)
{
	struct alba_pcpu_slot *slot = arg;
	struct alba_pcpu *pc = slot->pc;

	alba_user_lock(&pc->lock);
	alba_cursor_fini(&slot->cur);
	slot_unlink(pc, slot);
	alba_user_unlock(&pc->lock);
	free(slot);
}

struct alba_pcpu *alba_pcpu_create(struct alba *arena, size_t chunk,
				   gfp_t gfp)
{
	struct alba_pcpu *pc;

	(void)gfp;
	if (!arena) {
		alba_user_report(EINVAL, "%s() on a NULL arena", __func__);
		return NULL;
	}
	pc = calloc(1, sizeof(*pc));
	if (!pc || !alba_os_tls_create(&pc->key, slot_dtor)) {
		free(pc);
		errno = ENOMEM;
		return NULL;
	}
	pc->arena = arena;
	pc->chunk = chunk;
	pc->id = __atomic_add_fetch(&pcpu_ids, 1, __ATOMIC_RELAXED);
	alba_plat_lock_init(&pc->lock);
	return pc;
}

/* This thread's cursor of @pc, made the first time. */
static struct alba_cursor *slot_of(struct alba_pcpu *pc)
{
	struct alba_pcpu_slot *slot = alba_os_tls_get(pc->key);

	if (!slot) {
		slot = calloc(1, sizeof(*slot));
		if (!slot)
			return NULL;
		if (!alba_os_tls_set(pc->key, slot)) {
			free(slot);
			return NULL;
		}
		slot->pc = pc;
		slot->entry = &tl_last;
		alba_cursor_init(&slot->cur, pc->arena, pc->chunk);
		alba_user_lock(&pc->lock);
		slot->next = pc->slots;
		pc->slots = slot;
		alba_user_unlock(&pc->lock);
	}
	tl_last.pc = pc;
	tl_last.id = pc->id;	/* read by binaries built with alba 0.2.0 */
	tl_last.cur = &slot->cur;
	return &slot->cur;
}

/**
 * alba_pcpu_alloc() - allocate through the calling thread's cursor
 * @pc: the set, from alba_pcpu_create()
 * @size: bytes to allocate
 * @align: a power of two, or 0 for ALBA_DEFAULT_ALIGN
 * @gfp: 0 in userspace
 *
 * Bumps the calling thread's cursor of @pc, made on the thread's first
 * call; requests a cursor does not take (larger than a chunk, aligned
 * beyond ALBA_CURSOR_MAX_ALIGN, size 0) go to alba_alloc(). On ELF
 * systems alba.h makes the call inline (alba_pcpu_alloc_inline()) unless
 * ALBA_PCPU_NO_INLINE is defined; this is the library's function.
 *
 * Context: any thread; a thread's cursor is its own.
 * Return: a pointer aligned to @align, or NULL with errno EINVAL (a NULL
 * set, a bad alignment) or ENOMEM.
 */
void *(alba_pcpu_alloc)(struct alba_pcpu *pc, size_t size, size_t align,
			gfp_t gfp)
{
	struct alba_cursor *cur;

	if (unlikely(!pc)) {
		alba_user_report(EINVAL, "allocation from a NULL per-thread set");
		return NULL;
	}
	if (likely(tl_last.pc == pc)) {
		cur = tl_last.cur;
	} else {
		cur = slot_of(pc);
		if (!cur) {
			errno = ENOMEM;
			return NULL;
		}
	}
	return alba_cursor_alloc(cur, size, align, gfp);
}

void alba_pcpu_drain(struct alba_pcpu *pc)
{
	struct alba_pcpu_slot *slot;

	if (!pc)
		return;
	alba_user_lock(&pc->lock);
	for (slot = pc->slots; slot; slot = slot->next)
		alba_cursor_fini(&slot->cur);
	alba_user_unlock(&pc->lock);
}

void alba_pcpu_destroy(struct alba_pcpu *pc)
{
	struct alba_pcpu_slot *slot, *next;

	if (!pc)
		return;
	alba_pcpu_drain(pc);
	/*
	 * No thread's entry may name @pc once it is freed: another set may
	 * be made at its address. The threads do not use @pc any more, and
	 * one that exits unlinks its slot under the lock first.
	 */
	alba_user_lock(&pc->lock);
	for (slot = pc->slots; slot; slot = slot->next)
		if (__atomic_load_n(&slot->entry->pc, __ATOMIC_RELAXED) == pc)
			__atomic_store_n(&slot->entry->pc, NO_SET, __ATOMIC_RELAXED);
	alba_user_unlock(&pc->lock);
	/* Windows runs slot_dtor() here for every thread holding a slot. */
	alba_os_tls_delete(pc->key);
	for (slot = pc->slots; slot; slot = next) {
		next = slot->next;
		free(slot);
	}
	free(pc);
}
