// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * windows.c - blocks and yielding for Windows (mingw-w64).
 *
 * Included by prim.c only. A block of 2^shift bytes aligned to its size
 * comes, where the system has it (Windows 10 1803 and later, and wine),
 * from VirtualAlloc2() with a MEM_ADDRESS_REQUIREMENTS alignment, looked up
 * at run time so that the library also loads on older systems. Otherwise,
 * or when the environment variable ALBA_WIN_FALLBACK is set (so tests
 * cover both paths), or if VirtualAlloc2() refuses, we reserve size + size bytes to learn where an
 * aligned run lies, release the reservation, and reserve and commit
 * exactly the aligned run; another thread may take that range in between,
 * so we retry a few times. Blocks up to the 64 KiB allocation granularity
 * are aligned by plain VirtualAlloc().
 */
#include <stdlib.h>
#include <windows.h>
#include <winternl.h>

/* VirtualAlloc() addresses are multiples of this on every Windows. */
#define GRANULARITY	65536

#ifndef MEM_EXTENDED_PARAMETER_TYPE_BITS
/* Older mingw headers lack the VirtualAlloc2 types. */
typedef struct _MEM_ADDRESS_REQUIREMENTS {
	PVOID LowestStartingAddress;
	PVOID HighestEndingAddress;
	SIZE_T Alignment;
} MEM_ADDRESS_REQUIREMENTS;
#define MemExtendedParameterAddressRequirements 1
typedef struct DECLSPEC_ALIGN(8) MEM_EXTENDED_PARAMETER {
	struct {
		DWORD64 Type : 8;
		DWORD64 Reserved : 56;
	};
	union {
		DWORD64 ULong64;
		PVOID Pointer;
		SIZE_T Size;
		HANDLE Handle;
		DWORD ULong;
	};
} MEM_EXTENDED_PARAMETER;
#endif

typedef PVOID (WINAPI *virtual_alloc2_fn)(HANDLE, PVOID, SIZE_T, ULONG, ULONG,
					  MEM_EXTENDED_PARAMETER *, ULONG);

void alba_user_yield(void)
{
	SwitchToThread();
}

/*
 * Thread-local slots with a destructor at thread exit (alba_pcpu): fiber
 * local storage, whose callback runs at thread exit (the one index
 * alba_pcpu makes is never freed).
 */
typedef DWORD alba_os_tls_t;

static bool alba_os_tls_create(alba_os_tls_t *key, void (*dtor)(void *))
{
	*key = FlsAlloc((PFLS_CALLBACK_FUNCTION)(void (*)(void))dtor);
	return *key != FLS_OUT_OF_INDEXES;
}

static void *alba_os_tls_get(alba_os_tls_t key)
{
	return FlsGetValue(key);
}

static bool alba_os_tls_set(alba_os_tls_t key, void *value)
{
	return FlsSetValue(key, value);
}

/*
 * The per-thread sets' one-entry cache: a TLS index, read from the
 * thread's TEB as TlsGetValue() does but without clearing the caller's
 * last error. (mingw-w64's __thread is emulated: a call of some 60
 * instructions; FlsGetValue() takes about 30, this 3, under wine.)
 */
typedef DWORD alba_os_fast_t;

static bool alba_os_fast_create(alba_os_fast_t *key, void (*dtor)(void *))
{
	(void)dtor;	/* a TLS slot keeps its value until the thread is gone */
	*key = TlsAlloc();
	return *key != TLS_OUT_OF_INDEXES;
}

/* NtCurrentTeb(), whose __readgsqword() trips gcc 12's -Warray-bounds. */
static inline TEB *current_teb(void)
{
#if defined(__x86_64__)
	TEB *teb;

	__asm__("movq %%gs:0x30, %0" : "=r"(teb));
	return teb;
#else
	return NtCurrentTeb();
#endif
}

/* The value if it is in the TEB's own slots, else NULL (ask _get). */
static inline void *alba_os_fast_peek(alba_os_fast_t key)
{
	return key < TLS_MINIMUM_AVAILABLE ? current_teb()->TlsSlots[key] : NULL;
}

static void *alba_os_fast_get(alba_os_fast_t key)
{
	DWORD error;
	void *value;

	if (key < TLS_MINIMUM_AVAILABLE)
		return current_teb()->TlsSlots[key];
	error = GetLastError();
	value = TlsGetValue(key);
	SetLastError(error);
	return value;
}

static bool alba_os_fast_set(alba_os_fast_t key, void *value)
{
	return TlsSetValue(key, value);
}

static virtual_alloc2_fn virtual_alloc2(void)
{
	static virtual_alloc2_fn fn;
	static int looked;
	virtual_alloc2_fn found = NULL;
	HMODULE dll;

	/* Racing first callers find the same function; atomics keep it defined. */
	if (!__atomic_load_n(&looked, __ATOMIC_ACQUIRE)) {
		const char *force = getenv("ALBA_WIN_FALLBACK");

		dll = GetModuleHandleA("kernelbase.dll");
		if (dll && !(force && *force && *force != '0'))
			found = (virtual_alloc2_fn)(void (*)(void))
				GetProcAddress(dll, "VirtualAlloc2");
		__atomic_store_n(&fn, found, __ATOMIC_RELAXED);
		__atomic_store_n(&looked, 1, __ATOMIC_RELEASE);
	}
	return __atomic_load_n(&fn, __ATOMIC_RELAXED);
}

static long by_requirement, by_reservation;

const char *alba_user_block_method(long *os_aligned, long *self_aligned)
{
	*os_aligned = by_requirement;
	*self_aligned = by_reservation;
	return virtual_alloc2() ? "VirtualAlloc2 with an alignment requirement" :
		"VirtualAlloc reserve, release, reserve and commit aligned";
}

static void *aligned_by_requirement(virtual_alloc2_fn fn, SIZE_T size)
{
	MEM_ADDRESS_REQUIREMENTS req = { 0 };
	MEM_EXTENDED_PARAMETER param = { 0 };

	req.Alignment = size;
	param.Type = MemExtendedParameterAddressRequirements;
	param.Pointer = &req;
	return fn(GetCurrentProcess(), NULL, size, MEM_RESERVE | MEM_COMMIT,
		  PAGE_READWRITE, &param, 1);
}

static void *aligned_by_reservation(SIZE_T size)
{
	int tries;

	for (tries = 0; tries < 16; tries++) {
		char *raw = VirtualAlloc(NULL, size * 2, MEM_RESERVE, PAGE_NOACCESS);
		char *base, *p;

		if (!raw)
			return NULL;
		base = (char *)(((ULONG_PTR)raw + size - 1) & ~(ULONG_PTR)(size - 1));
		VirtualFree(raw, 0, MEM_RELEASE);
		p = VirtualAlloc(base, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
		if (p == base) {
			InterlockedIncrement(&by_reservation);
			return p;
		}
		if (p)
			VirtualFree(p, 0, MEM_RELEASE);
	}
	return NULL;
}

void *alba_os_block_alloc(unsigned int shift)
{
	SIZE_T size = (SIZE_T)1 << shift;
	virtual_alloc2_fn fn = virtual_alloc2();
	void *p;

	if (size <= GRANULARITY)
		return VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT,
				    PAGE_READWRITE);
	if (fn) {
		p = aligned_by_requirement(fn, size);
		if (p) {
			InterlockedIncrement(&by_requirement);
			return p;
		}
	}
	return aligned_by_reservation(size);
}

void alba_os_block_free(void *base, unsigned int shift)
{
	(void)shift;
	VirtualFree(base, 0, MEM_RELEASE);
}

/* The pages stay committed; their contents may go (no paging out). */
void alba_os_block_discard(void *p, size_t size)
{
	VirtualAlloc(p, size, MEM_RESET, PAGE_READWRITE);
}

/*
 * Decommitted memory faults when read, so a retired region stays
 * committed and is reset: its pages go, its commit charge stays (with
 * the range, for the next region of its size).
 */
void alba_os_block_retire(void *base, unsigned int shift)
{
	alba_os_block_discard(base, (size_t)1 << shift);
}

bool alba_os_block_revive(void *base, unsigned int shift)
{
	(void)base;
	(void)shift;
	return true;
}

/*
 * Tests: one page alone in its mapping, with nothing usable at the
 * block_size boundary below it (see alba_of_foreign_test). Reservations
 * start on the 64 KiB granularity, so the page is committed inside a
 * reservation whose start, the boundary, stays reserved but not committed:
 * touching it faults as an unmapped address does.
 */
void *alba_user_lonely_page(size_t block_size)
{
	char *r = VirtualAlloc(NULL, GRANULARITY, MEM_RESERVE, PAGE_NOACCESS);

	if (!r || block_size / 4 + 4096 > GRANULARITY)
		return NULL;
	return VirtualAlloc(r + block_size / 4, 4096, MEM_COMMIT, PAGE_READWRITE);
}

void alba_user_lonely_page_free(void *p)
{
	VirtualFree((void *)((ULONG_PTR)p & ~(ULONG_PTR)(GRANULARITY - 1)), 0,
		    MEM_RELEASE);
}
