// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pcpu.c - per-thread sets, userspace's alba_pcpu (the kernel's twin is
 * kmod/alba_pcpu.c). Part of the platform prim/prim.c builds as one unit.
 */
/*
 * Per-thread cursors: userspace's alba_pcpu. "CPU" is the calling thread:
 * each thread gets its own cursor (a slot) the first time it allocates
 * through a set. A slot is on two lists: its set's (for drain and
 * destroy) and its thread's (a record found through one OS thread-local
 * key whose destructor runs at thread exit). One lock, pcpu_lock, guards
 * every set's list and each slot's @pc; a thread's own list is its own.
 *
 * Lifetimes: a slot belongs to its thread and is freed only by it. A
 * thread that exits gives back, under the lock, the chunks of the slots
 * whose sets still live, and takes them off those sets' lists, before
 * freeing them; alba_pcpu_destroy(), under the lock, gives back every
 * slot's chunk and detaches it (@pc NULL) and then frees the set, never a
 * slot: so an exit and a destroy that run at once each touch only memory
 * the other has not freed. A thread frees its detached slots at exit, or
 * the next time it looks up a set it has no cursor of.
 *
 * A one-entry thread-local cache in front (the set the thread used last,
 * and its cursor) keeps the common case to a compare. Only its thread
 * writes an entry, so the compare is a plain load. An entry may name a
 * set destroyed since (by any thread): the destroy emptied the slot's
 * cursor, which then takes nothing, and the slow path finds the slot
 * detached before it uses it; the thread frees a slot only after its
 * entry no longer names it. So a new set at a freed one's address is
 * never mistaken for it.
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
	struct alba_pcpu *pc;		/* NULL once the set is destroyed */
	struct alba_pcpu_slot *next;	/* the set's slots */
	struct alba_pcpu_slot *tnext;	/* its thread's slots */
};

static inline struct alba_pcpu_slot *slot_of_cursor(struct alba_cursor *cur)
{
	return (struct alba_pcpu_slot *)((char *)cur -
					 offsetof(struct alba_pcpu_slot, cur));
}

/* A thread's slots: the thread-local key's value. */
struct pcpu_thread {
	struct alba_pcpu_slot *slots;
	struct alba_cursor hooks;	/* alba_hooks_bind()'s, if hooks_forget */
	void (*hooks_forget)(void);
#if !defined(__ELF__)
	struct alba_pcpu_last last;	/* the entry, through pcpu_fast */
#endif
};

struct alba_pcpu {
	unsigned long id;		/* first: 0.2.0 alba.h's inline path reads it */
	struct alba *arena;
	size_t chunk;
	struct alba_pcpu_slot *slots;	/* under pcpu_lock */
};

/*
 * An entry that names no set; one whose thread's exit has begun: later
 * calls in it (other thread-exit destructors or callbacks) take the
 * arena's locked path, so that nothing is made that no exit gives back.
 */
#define NO_SET	((const struct alba_pcpu *)1)
#define EXITED	((const struct alba_pcpu *)2)

static unsigned long pcpu_ids;
static ALBA_PLAT_DEFINE_LOCK(pcpu_lock);
static alba_os_tls_t pcpu_key;		/* made once, kept for good */
static int pcpu_key_made;

#if defined(__ELF__)
/* alba.h's inline alba_pcpu_alloc() reads it: see there. */
__thread __attribute__((tls_model("initial-exec")))
struct alba_pcpu_last alba_pcpu_last = { .pc = NO_SET };

/* The calling thread's entry (last_peek: at once, or NULL). */
static inline struct alba_pcpu_last *last_entry(void)
{
	return &alba_pcpu_last;
}
#define last_peek	last_entry

static struct alba_pcpu_last *entry_of(struct pcpu_thread *th)
{
	(void)th;
	return &alba_pcpu_last;
}
#else
/*
 * Elsewhere thread-local variables may be emulated (mingw-w64: a call of
 * some 60 instructions) and torn down before the thread's record: the
 * entry lives in the record, found through a key of the platform's
 * fastest kind (user/prim): NULL until the record is made, an exited
 * entry once its thread's exit began.
 */
static alba_os_fast_t pcpu_fast;	/* made with pcpu_key */

/*
 * The entries of a thread whose exit has begun (see EXITED). Windows
 * never shows a later thread-exit callback a record key set after alba's
 * own callback ran, and may still show the freed record in it; a TLS
 * slot keeps its value. pthreads clear every key before each round of
 * destructors (glibc: four), so the key's destructor sets it again, once:
 * alba's code must not run in the last round, where TSan has torn the
 * thread down. A destructor that allocates through a set in a later round
 * makes a record, which the next round gives back (in the last, it stays).
 */
static struct alba_pcpu_last exited[2] = { { .pc = EXITED }, { .pc = EXITED } };

static void fast_exit(void *entry)
{
	if (entry == &exited[0])
		alba_os_fast_set(pcpu_fast, &exited[1]);
}

/* NULL: look again with last_entry() (the fast path's, inline). */
static inline struct alba_pcpu_last *last_peek(void)
{
	/* Before the keys are made, pcpu_fast may be another's key. */
	if (!__atomic_load_n(&pcpu_key_made, __ATOMIC_ACQUIRE))
		return NULL;
	return alba_os_fast_peek(pcpu_fast);
}

static struct alba_pcpu_last *last_entry(void)
{
	if (!__atomic_load_n(&pcpu_key_made, __ATOMIC_ACQUIRE))
		return NULL;
	return alba_os_fast_get(pcpu_fast);
}

static struct alba_pcpu_last *entry_of(struct pcpu_thread *th)
{
	return &th->last;
}
#endif

#ifdef ALBA_PLAT_FORK
/* Around fork(), first of all the locks (user/blocks.c). */
static void pcpu_fork(int phase)
{
	alba_fork_lock(&pcpu_lock, phase);
}
#endif

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

/* At thread exit: the thread's slots, each given back and freed. */
static void thread_exit(void *arg)
{
	struct pcpu_thread *th = arg;
	struct alba_pcpu_slot *slot, *next;

	/*
	 * A later thread-local destructor may still allocate: never through
	 * the freed slots, nor through new ones no exit would give back:
	 * the locked path (EXITED).
	 */
#if defined(__ELF__)
	alba_pcpu_last.pc = EXITED;
#else
	alba_os_fast_set(pcpu_fast, &exited[0]);
#endif
	alba_user_lock(&pcpu_lock);
	for (slot = th->slots; slot; slot = slot->tnext) {
		if (slot->pc) {
			alba_core_cursor_fini(&slot->cur);
			slot_unlink(slot->pc, slot);
		}
	}
	alba_user_unlock(&pcpu_lock);
	for (slot = th->slots; slot; slot = next) {
		next = slot->tnext;
		free(slot);
	}
	/* A thread that leaves bound through a cursor gives its chunk back. */
	if (th->hooks_forget) {
#if defined(__ELF__)
		th->hooks_forget();	/* as the entry above */
#endif
		alba_cursor_fini(&th->hooks);
	}
	free(th);
}

/* The keys, under pcpu_lock: the record's, and the entry's (not ELF). */
static bool keys_create(void)
{
#if !defined(__ELF__)
	static bool fast_made;

	if (!fast_made)
		fast_made = alba_os_fast_create(&pcpu_fast, fast_exit);
	if (!fast_made)
		return false;
#endif
	return alba_os_tls_create(&pcpu_key, thread_exit);
}

/* This thread's record, made the first time (NULL: out of memory). */
static struct pcpu_thread *thread_of(void)
{
	struct pcpu_thread *th;

	if (!__atomic_load_n(&pcpu_key_made, __ATOMIC_ACQUIRE)) {
		alba_user_lock(&pcpu_lock);
		if (!pcpu_key_made && keys_create())
			__atomic_store_n(&pcpu_key_made, 1, __ATOMIC_RELEASE);
		alba_user_unlock(&pcpu_lock);
		if (!__atomic_load_n(&pcpu_key_made, __ATOMIC_ACQUIRE))
			return NULL;
	}
	th = alba_os_tls_get(pcpu_key);
	if (!th) {
		th = calloc(1, sizeof(*th));
		if (th && !alba_os_tls_set(pcpu_key, th)) {
			free(th);
			th = NULL;
		}
#if !defined(__ELF__)
		if (th) {
			th->last.pc = NO_SET;
			if (!alba_os_fast_get(pcpu_fast))
				alba_os_fast_set(pcpu_fast, &th->last);
		}
#endif
	}
	return th;
}

/*
 * hooks.c: the calling thread's hooks cursor, given back at its exit,
 * which then calls @forget; @forget NULL: the binding has ended, the exit
 * leaves the hooks alone.
 */
struct alba_cursor *alba_user_thread_cursor(void (*forget)(void))
{
	struct pcpu_thread *th = thread_of();

	if (!th)
		return NULL;
	th->hooks_forget = forget;
	return &th->hooks;
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
	if (!pc) {
		errno = ENOMEM;
		return NULL;
	}
	pc->arena = arena;
	pc->chunk = chunk;
	pc->id = __atomic_add_fetch(&pcpu_ids, 1, __ATOMIC_RELAXED);
	return pc;
}

/*
 * This thread's cursor of @pc, made the first time; on the way, the
 * thread's slots of destroyed sets are freed.
 */
static struct alba_cursor *slot_of(struct alba_pcpu *pc)
{
	struct pcpu_thread *th = thread_of();
	struct alba_pcpu_slot **link, *slot = NULL, *s;
	struct alba_pcpu_last *last;

	if (!th)
		return NULL;
	for (link = &th->slots; (s = *link);) {
		struct alba_pcpu *owner = __atomic_load_n(&s->pc, __ATOMIC_ACQUIRE);

		if (!owner) {
			*link = s->tnext;
			if (entry_of(th)->cur == &s->cur)
				entry_of(th)->pc = NO_SET;
			free(s);
			continue;
		}
		if (owner == pc)
			slot = s;
		link = &s->tnext;
	}
	if (!slot) {
		slot = calloc(1, sizeof(*slot));
		if (!slot)
			return NULL;
		alba_cursor_init(&slot->cur, pc->arena, pc->chunk);
		slot->tnext = th->slots;
		th->slots = slot;
		alba_user_lock(&pcpu_lock);
		__atomic_store_n(&slot->pc, pc, __ATOMIC_RELAXED);
		slot->next = pc->slots;
		pc->slots = slot;
		alba_user_unlock(&pcpu_lock);
	}
	last = entry_of(th);
	last->pc = pc;
	last->id = pc->id;	/* read by binaries built with alba 0.2.0 */
	last->cur = &slot->cur;
	return &slot->cur;
}

/* Everything but a bump of the entry's cursor, out of line. */
static noinline void *pcpu_alloc_slow(struct alba_pcpu *pc, size_t size,
				      size_t align, gfp_t gfp)
{
	struct alba_pcpu_last *last = last_entry();
	struct alba_cursor *cur;
	void *p;

	if (unlikely(!pc)) {
		alba_user_report(EINVAL, "allocation from a NULL per-thread set");
		return NULL;
	}
	if (unlikely(last && last->pc == EXITED))
		return alba_core_alloc(pc->arena, size, align, gfp,
				       alba_plat_caller());
	/* The entry's slot may have been detached since (see the top). */
	if (likely(last && last->pc == pc &&
		   __atomic_load_n(&slot_of_cursor(last->cur)->pc,
				   __ATOMIC_ACQUIRE) == pc)) {
		cur = last->cur;
	} else {
		cur = slot_of(pc);
		if (!cur) {
			errno = ENOMEM;
			return NULL;
		}
	}
	if (alba_cursor_bump(cur, size, align, &p))
		return p;
	return alba_core_cursor_refill(cur, size, align, gfp,
				       alba_plat_caller());
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
	struct alba_pcpu_last *last = last_peek();
	void *p;

	/* As alba.h's inline path (an entry never names NULL). */
	if (likely(last && last->pc == pc &&
		   alba_cursor_bump(last->cur, size, align, &p)))
		return p;
	return pcpu_alloc_slow(pc, size, align, gfp);
}

void alba_pcpu_drain(struct alba_pcpu *pc)
{
	struct alba_pcpu_slot *slot;

	if (!pc)
		return;
	alba_user_lock(&pcpu_lock);
	for (slot = pc->slots; slot; slot = slot->next)
		alba_core_cursor_fini(&slot->cur);
	alba_user_unlock(&pcpu_lock);
}

void alba_pcpu_destroy(struct alba_pcpu *pc)
{
	struct alba_pcpu_slot *slot, *next;

	if (!pc)
		return;
	/*
	 * Each slot's chunk back (its cursor empty: an entry that still
	 * names @pc finds nothing to bump) and the slot detached: its thread
	 * frees it, perhaps at once, so @next is read first.
	 */
	alba_user_lock(&pcpu_lock);
	for (slot = pc->slots; slot; slot = next) {
		next = slot->next;
		alba_core_cursor_fini(&slot->cur);
		__atomic_store_n(&slot->pc, NULL, __ATOMIC_RELEASE);
	}
	pc->slots = NULL;
	alba_user_unlock(&pcpu_lock);
	free(pc);
}
