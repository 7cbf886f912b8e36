// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * hooks.c - malloc-compatible functions over an arena (alba.h's
 * alba_hooks_*), for the libraries that take an allocator: cJSON
 * (cJSON_InitHooks()), Jansson (json_set_alloc_funcs()), Lua
 * (lua_newstate() with alba_hooks_lua_alloc()) and libxml2
 * (xmlMemSetup()). examples/hooks/ has one program for each.
 *
 * Each thread binds an arena with alba_hooks_bind(); the hooks allocate
 * from the calling thread's arena, aligned as malloc() aligns
 * (_Alignof(max_align_t)), and free() does nothing: the arena lets go of
 * everything at its reset, rewind or destroy. realloc() needs the old
 * size. Lua passes it; for libraries that do not (libxml2), bind with
 * ALBA_HOOKS_SIZED, and each object carries its size in the alignment's
 * worth of bytes before it. ALBA_HOOKS_CURSOR allocates through a cursor
 * of the thread's own, without the lock: unbind (alba_hooks_bind(NULL,
 * 0)) before the arena is reset, rewound or destroyed, which need every
 * cursor's chunk back; a thread that exits bound gives it back then. The
 * cursor lives in the thread's record of pcpu.c, whose exit handler
 * finishes it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "alba_plat.h"

#define HOOK_ALIGN	_Alignof(max_align_t)
#define HOOK_FLAGS	(ALBA_HOOKS_CURSOR | ALBA_HOOKS_SIZED)

/* What a thread has bound. */
struct hooks {
	struct alba *arena;
	unsigned int flags;
	struct alba_cursor *cur;	/* in the thread's record: pcpu.c */
};

static __thread struct hooks hk;

/* At the exit of a thread still bound through a cursor (pcpu.c). */
static void forget(void)
{
	memset(&hk, 0, sizeof(hk));
}

/**
 * alba_hooks_bind() - give the calling thread's hooks an arena
 * @arena: the arena the hooks allocate from, or NULL to unbind
 * @flags: 0, or ALBA_HOOKS_CURSOR (through a cursor of the thread's own:
 *	no lock, and the thread must unbind before the arena is reset,
 *	rewound or destroyed) and ALBA_HOOKS_SIZED (each object carries its
 *	size, so that alba_hooks_realloc() needs no old size; a library that
 *	calls realloc() needs it)
 *
 * Unbinding gives a cursor's chunk back, and so does the thread's exit
 * while bound through a cursor (on ELF systems the thread is then
 * unbound: a later thread-exit destructor's hook call fails with EINVAL).
 * Objects allocated under one binding stay valid under the next (they
 * are the arena's), but alba_hooks_realloc() of an object needs the
 * binding it was allocated under (ALBA_HOOKS_SIZED).
 *
 * Return: the arena bound before (NULL if none); NULL with errno EINVAL
 * for unknown @flags, ENOMEM if the thread's cursor cannot be made, and
 * then nothing changes.
 */
struct alba *alba_hooks_bind(struct alba *arena, unsigned int flags)
{
	struct alba *old = hk.arena;
	struct alba_cursor *cur = NULL;

	if (flags & ~HOOK_FLAGS) {
		errno = EINVAL;
		return NULL;
	}
	if (arena && (flags & ALBA_HOOKS_CURSOR)) {
		cur = alba_user_thread_cursor(forget);
		if (!cur) {
			errno = ENOMEM;
			return NULL;
		}
	}
	if (old && (hk.flags & ALBA_HOOKS_CURSOR)) {
		alba_cursor_fini(hk.cur);
		if (!cur)	/* the thread's exit has nothing to end now */
			alba_user_thread_cursor(NULL);
	}
	hk.arena = arena;
	hk.flags = arena ? flags : 0;
	hk.cur = cur;
	if (cur)
		alba_cursor_init(cur, arena, 0);
	return old;
}


/* @size bytes from the thread's arena, malloc-aligned. */
static void *take(size_t size)
{
	if (!hk.arena) {
		errno = EINVAL;
		return NULL;
	}
	if (hk.flags & ALBA_HOOKS_CURSOR)
		return alba_cursor_alloc(hk.cur, size, HOOK_ALIGN, 0);
	return alba_alloc(hk.arena, size, HOOK_ALIGN, 0);
}

/**
 * alba_hooks_malloc() - malloc() from the calling thread's arena
 * @size: bytes; 0 gives a unique pointer, as glibc's malloc(0) does
 *
 * Return: the object, aligned to _Alignof(max_align_t); NULL with errno
 * ENOMEM without memory, EINVAL if the thread has no arena bound.
 */
void *alba_hooks_malloc(size_t size)
{
	char *p;

	if (!(hk.flags & ALBA_HOOKS_SIZED))
		return take(size ? size : 1);
	if (size > SIZE_MAX - HOOK_ALIGN) {
		errno = ENOMEM;
		return NULL;
	}
	p = take(size + HOOK_ALIGN);
	if (!p)
		return NULL;
	memcpy(p, &size, sizeof(size));
	return p + HOOK_ALIGN;
}

/**
 * alba_hooks_calloc() - calloc() from the calling thread's arena
 * @n: elements
 * @size: bytes each
 *
 * Return: the zeroed array; NULL with errno ENOMEM if @n * @size wraps or
 * without memory, EINVAL without an arena.
 */
void *alba_hooks_calloc(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	p = alba_hooks_malloc(bytes);
	if (p)
		memset(p, 0, bytes);
	return p;
}

/**
 * alba_hooks_realloc() - realloc() within the calling thread's arena
 * @p: an object of alba_hooks_malloc() under ALBA_HOOKS_SIZED, or NULL
 *	(then this is alba_hooks_malloc())
 * @size: the size wanted
 *
 * A shrink keeps the object where it is; a growth gets a new object (or,
 * for the newest object of the locked path, grows it in place) and the
 * old bytes are copied. The old object stays allocated until the arena
 * lets go, as every arena object does.
 *
 * Return: the object; NULL with errno ENOMEM without memory, EINVAL
 * without an arena or, for a non-NULL @p, without ALBA_HOOKS_SIZED (the
 * old size is not known); @p is then untouched.
 */
void *alba_hooks_realloc(void *p, size_t size)
{
	char *obj, *n;
	size_t old;
	int saved;

	if (!p)
		return alba_hooks_malloc(size);
	obj = (char *)p - HOOK_ALIGN;
	if (!hk.arena || !(hk.flags & ALBA_HOOKS_SIZED)) {
		errno = EINVAL;
		return NULL;
	}
	memcpy(&old, obj, sizeof(old));
	if (size <= old) {
		memcpy(obj, &size, sizeof(size));
		return p;
	}
	if (size > SIZE_MAX - HOOK_ALIGN) {
		errno = ENOMEM;
		return NULL;
	}
	if (!(hk.flags & ALBA_HOOKS_CURSOR)) {
		/* In place when it is the arena's newest object. */
		saved = errno;
		n = alba_realloc(hk.arena, obj, old + HOOK_ALIGN,
				 size + HOOK_ALIGN, HOOK_ALIGN, 0);
		if (n) {
			memcpy(n, &size, sizeof(size));
			return n + HOOK_ALIGN;
		}
		if (errno == ENOMEM)
			return NULL;
		errno = saved;	/* another thread's arena: copy it */
	}
	n = alba_hooks_malloc(size);
	if (n)
		memcpy(n, p, old);
	return n;
}

/**
 * alba_hooks_free() - free(): nothing
 * @p: an object, or NULL
 *
 * The arena lets go of its objects all at once.
 */
void alba_hooks_free(void *p)
{
	(void)p;
}

/**
 * alba_hooks_strdup() - strdup() into the calling thread's arena
 * @s: the string
 *
 * Return: the copy, or NULL as alba_hooks_malloc() (EINVAL for a NULL @s).
 */
char *alba_hooks_strdup(const char *s)
{
	size_t len;
	char *p;

	if (!s) {
		errno = EINVAL;
		return NULL;
	}
	len = strlen(s);
	p = alba_hooks_malloc(len + 1);
	if (p)
		memcpy(p, s, len + 1);
	return p;
}

/**
 * alba_hooks_lua_alloc() - Lua's lua_Alloc over an arena
 * @ud: the arena (lua_newstate(alba_hooks_lua_alloc, arena))
 * @p: the block, or NULL
 * @old_size: its size (for a NULL @p, the kind of object: unused)
 * @new_size: the size wanted; 0 frees (nothing happens)
 *
 * A shrink never fails, as Lua requires: the block stays where it is. Not
 * bound to a thread: the arena is Lua's user data.
 *
 * Return: the block, or NULL (for @new_size 0, or without memory).
 */
void *alba_hooks_lua_alloc(void *ud, void *p, size_t old_size,
			   size_t new_size)
{
	struct alba *arena = ud;

	if (!new_size)
		return NULL;
	if (!p)
		return alba_alloc(arena, new_size, HOOK_ALIGN, 0);
	if (new_size <= old_size)
		return p;
	return alba_realloc(arena, p, old_size, new_size, HOOK_ALIGN, 0);
}
