// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lock.c - the slow path of userspace's lock (alba_plat_lock_t in plat.h):
 * a ticket queue in front of a test-and-set, so that waiters are served
 * in order and the holder's release stays one store.
 * Part of the platform prim/prim.c builds as one unit.
 */

/* Rounds the queue's head waits before newcomers must queue behind it. */
#define ALBA_LOCK_PATIENCE	16

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/* A waiter's round: a pause at first, then a yield in case the holder is off CPU. */
static void lock_backoff(unsigned int *rounds)
{
	if (++*rounds < 64)
		cpu_relax();
	else
		alba_user_yield();
}

/* See alba_plat_lock_t: queue up, wait to be the head, then take the lock. */
void alba_user_lock_wait(alba_plat_lock_t *lock)
{
	unsigned int ticket = __atomic_fetch_add(&lock->tail, 1, __ATOMIC_RELAXED);
	unsigned int rounds = 0;

	while (__atomic_load_n(&lock->head, __ATOMIC_ACQUIRE) != ticket)
		lock_backoff(&rounds);
	for (rounds = 0;;) {
		if (!__atomic_load_n(&lock->locked, __ATOMIC_RELAXED) &&
		    !__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
			break;
		if (rounds == ALBA_LOCK_PATIENCE)
			__atomic_store_n(&lock->handoff, 1, __ATOMIC_RELAXED);
		lock_backoff(&rounds);
	}
	__atomic_store_n(&lock->handoff, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&lock->head, ticket + 1, __ATOMIC_RELEASE);
}
