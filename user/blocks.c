// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * blocks.c - userspace's blocks: alba_plat_block_alloc()/free() of
 * core/alba_plat.h on top of the block source (source.c), adding what
 * tests need: a live-block counter and a fault hook that fails the n-th
 * block allocation. Also here: the registry of live block headers that
 * alba_of() asks, the list of arenas that makes them survive fork(), and
 * the reports (errno, ALBA_VERBOSE). Part of the platform prim/prim.c builds as one unit.
 */

static long live_blocks;
static unsigned long fail_countdown;
static unsigned long fail_period, fail_calls;

/* The registry of live block headers: see plat.h. */
uintptr_t *alba_user_reg_regions[ALBA_REG_REGIONS];

static uintptr_t *reg_word(uintptr_t p, bool create, uintptr_t *bit)
{
	uintptr_t **slot = alba_user_reg_slot(p);
	size_t page = alba_user_reg_page(p);
	uintptr_t *map, *fresh = NULL;

	if (!slot)
		return NULL;
	map = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (!map && create) {
		fresh = alba_os_block_alloc(ALBA_REG_MAP_SHIFT);
		if (!fresh)
			return NULL;
		memset(fresh, 0, (size_t)1 << ALBA_REG_MAP_SHIFT);
		if (__atomic_compare_exchange_n(slot, &map, fresh,
						false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			map = fresh;
		else
			alba_os_block_free(fresh, ALBA_REG_MAP_SHIFT);
	}
	if (!map)
		return NULL;
	*bit = (uintptr_t)1 << (page % ALBA_REG_WORD_BITS);
	return &map[page / ALBA_REG_WORD_BITS];
}

void alba_plat_header_set(void *p)
{
	uintptr_t bit, *w = reg_word((uintptr_t)p, true, &bit);

	/* Without a bitmap, alba_of() refuses this block: safe, if unkind. */
	if (w)
		__atomic_fetch_or(w, bit, __ATOMIC_RELEASE);
}

void alba_plat_header_clear(void *p)
{
	uintptr_t bit, *w = reg_word((uintptr_t)p, false, &bit);

	if (w)
		__atomic_fetch_and(w, ~bit, __ATOMIC_RELEASE);
}

#ifdef ALBA_PLAT_FORK
/*
 * fork(). The child of a process whose other thread holds an arena lock
 * would find that lock held forever. So the arenas are listed (through
 * the platform pointer of each), and around fork() every lock is taken
 * (the per-thread sets', arena list, arenas, the cursor holders' list,
 * block source: always in that order, and nothing takes them in another), then released in the
 * parent and made anew in the child, where no other thread survives.
 */
static alba_plat_lock_t arenas_lock;
static struct alba *arenas;
static void pcpu_fork(int phase);	/* the per-thread sets' lock: pcpu.c */

static void fork_prepare(void)
{
	struct alba *a;

	pcpu_fork(0);
	alba_user_lock(&arenas_lock);
	for (a = arenas; a; a = alba_core_plat(a)->next)
		alba_core_fork(a, 0);
	alba_core_holders_fork(0);
	alba_user_lock(&source_lock);
}

static void fork_parent(void)
{
	struct alba *a;

	alba_user_unlock(&source_lock);
	alba_core_holders_fork(1);
	for (a = arenas; a; a = alba_core_plat(a)->next)
		alba_core_fork(a, 1);
	alba_user_unlock(&arenas_lock);
	pcpu_fork(1);
}

static void fork_child(void)
{
	struct alba *a;

	alba_plat_lock_init(&source_lock);
	alba_core_holders_fork(2);
	for (a = arenas; a; a = alba_core_plat(a)->next)
		alba_core_fork(a, 2);
	alba_plat_lock_init(&arenas_lock);
	pcpu_fork(2);
}

void alba_plat_arena_added(struct alba *arena, gfp_t gfp)
{
	(void)gfp;
	alba_os_atfork_once(fork_prepare, fork_parent, fork_child);
	alba_user_lock(&arenas_lock);
	alba_core_plat(arena)->next = arenas;
	arenas = arena;
	alba_user_unlock(&arenas_lock);
}

void alba_plat_arena_removed(struct alba *arena)
{
	struct alba *a, *prev = NULL;

	alba_user_lock(&arenas_lock);
	for (a = arenas; a && a != arena; a = alba_core_plat(a)->next)
		prev = a;
	if (a && prev)
		alba_core_plat(prev)->next = alba_core_plat(a)->next;
	else if (a)
		arenas = alba_core_plat(a)->next;
	alba_user_unlock(&arenas_lock);
}
#else
void alba_plat_arena_added(struct alba *arena, gfp_t gfp)
{
	(void)arena;
	(void)gfp;
}

void alba_plat_arena_removed(struct alba *arena)
{
	(void)arena;
}
#endif

void alba_plat_fail_nth(unsigned long n)
{
	__atomic_store_n(&fail_countdown, n, __ATOMIC_RELAXED);
}

unsigned long alba_user_fail_pending(void)
{
	return __atomic_load_n(&fail_countdown, __ATOMIC_RELAXED);
}

void alba_user_fail_every(unsigned long n)
{
	__atomic_store_n(&fail_calls, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_period, n, __ATOMIC_RELAXED);
}

/*
 * True on the n-th call after alba_plat_fail_nth(n), once, and on every
 * n-th call after alba_user_fail_every(n).
 */
bool alba_user_fault_fires(void)
{
	unsigned long n = __atomic_load_n(&fail_countdown, __ATOMIC_RELAXED);
	unsigned long period = __atomic_load_n(&fail_period, __ATOMIC_RELAXED);

	if (period &&
	    __atomic_add_fetch(&fail_calls, 1, __ATOMIC_RELAXED) % period == 0)
		return true;

	while (n) {
		if (__atomic_compare_exchange_n(&fail_countdown, &n, n - 1, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return n == 1;
	}
	return false;
}

void alba_user_report(int err, const char *fmt, ...)
{
	static int verbose = -1;
	int v = __atomic_load_n(&verbose, __ATOMIC_RELAXED);
	va_list ap;

	/* Racing first callers compute the same value; atomics keep it defined. */
	if (v < 0) {
		v = getenv("ALBA_VERBOSE") != NULL;
		__atomic_store_n(&verbose, v, __ATOMIC_RELAXED);
	}
	if (v) {
		va_start(ap, fmt);
		fputs("alba: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	errno = err;
}

unsigned long long alba_plat_unique_id(void)
{
	static unsigned long long last;

	return __atomic_add_fetch(&last, 1, __ATOMIC_RELAXED);
}

long alba_plat_live_blocks(void)
{
	return __atomic_load_n(&live_blocks, __ATOMIC_RELAXED);
}

void *alba_plat_block_alloc(struct alba *arena, unsigned int shift, gfp_t gfp,
			    int nid)
{
	void *base;

	(void)arena;
	(void)gfp;
	(void)nid;
	if (alba_user_fault_fires())
		return NULL;
	base = source_take(shift);
	if (base)
		__atomic_add_fetch(&live_blocks, 1, __ATOMIC_RELAXED);
	return base;
}

void alba_plat_block_free(void *base, unsigned int shift)
{
	__atomic_sub_fetch(&live_blocks, 1, __ATOMIC_RELAXED);
	source_put(base, shift);
}
