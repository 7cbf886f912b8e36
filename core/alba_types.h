/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * alba_types.h - the kernel types alba.h uses, for userspace. Installed
 * next to alba.h. Userspace callers pass 0 where alba.h takes a gfp_t.
 */
#ifndef _ALBA_TYPES_H
#define _ALBA_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef unsigned int gfp_t;

/* "No particular node", as in the kernel: see alba_create_node(). */
#ifndef NUMA_NO_NODE
#define NUMA_NO_NODE	(-1)
#endif

#ifdef _WIN32
#define ALBA_PRINTF(f, a)	__attribute__((format(gnu_printf, f, a)))
#else
#define ALBA_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#endif

/*
 * Scope-based cleanup, as the kernel's <linux/cleanup.h> spells it, over
 * the cleanup attribute of GCC and Clang (mingw-w64 included), so that
 * alba.h's classes read the same in both worlds: guard(alba_scope)(a),
 * scoped_guard(alba_scope, a) { ... }, and __free(alba). Not defined
 * where a name is taken already. MSVC has no cleanup attribute: call
 * alba_scope_begin() and alba_scope_end(), and alba_destroy(), yourself.
 */
#if defined(__GNUC__) && !defined(CLASS)
#define ALBA_CAT_(a, b)		a##b
#define ALBA_CAT(a, b)		ALBA_CAT_(a, b)
#define CLASS(_name, var)						\
	class_##_name##_t var __attribute__((__unused__,		\
		__cleanup__(class_##_name##_destructor))) =		\
		class_##_name##_constructor
#ifndef guard
#define guard(_name)	CLASS(_name, ALBA_CAT(alba_guard_, __COUNTER__))
#endif
#ifndef scoped_guard
#define scoped_guard(_name, ...)					\
	for (CLASS(_name, scope)(__VA_ARGS__), *done = NULL; !done;	\
	     done = (class_##_name##_t *)1)
#endif
#endif
#if defined(__GNUC__) && !defined(__free)
#define __free(_name)	__attribute__((__cleanup__(__free_##_name)))
#endif

#endif /* _ALBA_TYPES_H */
