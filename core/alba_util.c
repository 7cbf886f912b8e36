// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * alba_util.c - the kmalloc family over an arena: zeroed objects, arrays
 * whose size is checked for overflow, copies of memory and strings, and
 * formatted strings, as mm/util.c and lib/kasprintf.c give them over
 * kmalloc(). Each is alba_core_alloc() (alba_alloc() with the caller's
 * address passed on, for warnings) and a copy; a size computation that
 * wraps asks alba_core_alloc() for SIZE_MAX, which fails as alba_alloc()
 * of SIZE_MAX does (after checking the other arguments).
 * Nothing here touches the arena's insides.
 */

#include "alba_internal.h"

/**
 * alba_zalloc() - allocate zeroed memory from an arena
 * @arena: the arena
 * @size: bytes to allocate
 * @align: as for alba_alloc()
 * @gfp: as for alba_alloc()
 *
 * Context: as alba_alloc().
 * Return: as alba_alloc(), with the object's bytes set to zero.
 */
void *alba_zalloc(struct alba *arena, size_t size, size_t align, gfp_t gfp)
{
	return alba_core_zalloc(arena, size, align, gfp, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_zalloc);

/* An array of @n elements of @size bytes, unless the product wraps. */
static void *array_at(struct alba *arena, size_t n, size_t size,
		      size_t align, gfp_t gfp, bool zero, unsigned long ip)
{
	size_t bytes;

	/* Wrapped: as alba_alloc() for SIZE_MAX (bad arguments first). */
	if (unlikely(__builtin_mul_overflow(n, size, &bytes)))
		bytes = SIZE_MAX;
	if (zero)
		return alba_core_zalloc(arena, bytes, align, gfp, ip);
	return alba_core_alloc(arena, bytes, align, gfp, ip);
}

/**
 * alba_alloc_array() - allocate an array, its size overflow-checked
 * @arena: the arena
 * @n: number of elements
 * @size: bytes per element
 * @align: as for alba_alloc()
 * @gfp: as for alba_alloc()
 *
 * Like kmalloc_array(): if @n * @size does not fit a size_t, nothing is
 * allocated.
 *
 * Context: as alba_alloc().
 * Return: the array, or NULL (userspace: errno ENOMEM when the product
 * wraps, else as alba_alloc()).
 */
void *alba_alloc_array(struct alba *arena, size_t n, size_t size,
		       size_t align, gfp_t gfp)
{
	return array_at(arena, n, size, align, gfp, false, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_alloc_array);

/**
 * alba_zalloc_array() - allocate a zeroed array, its size overflow-checked
 * @arena: the arena
 * @n: number of elements
 * @size: bytes per element
 * @align: as for alba_alloc()
 * @gfp: as for alba_alloc()
 *
 * Like kcalloc().
 *
 * Context: as alba_alloc().
 * Return: as alba_alloc_array(), with every byte zero.
 */
void *alba_zalloc_array(struct alba *arena, size_t n, size_t size,
			size_t align, gfp_t gfp)
{
	return array_at(arena, n, size, align, gfp, true, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_zalloc_array);

/**
 * alba_memdup() - copy memory into an arena
 * @arena: the arena
 * @src: what to copy
 * @len: bytes to copy; 0 gives the size-0 pointer of alba_alloc()
 * @gfp: as for alba_alloc()
 *
 * Like kmemdup(); the copy is aligned to ALBA_DEFAULT_ALIGN.
 *
 * Context: as alba_alloc().
 * Return: the copy, or NULL.
 */
void *alba_memdup(struct alba *arena, const void *src, size_t len, gfp_t gfp)
{
	void *p = alba_core_alloc(arena, len, 0, gfp, alba_plat_caller());

	if (p && len)
		memcpy(p, src, len);
	return p;
}
EXPORT_SYMBOL_GPL(alba_memdup);

/* The @len bytes at @s, terminated, as a new object of @arena. */
static char *strcopy_at(struct alba *arena, const char *s, size_t len,
			gfp_t gfp, unsigned long ip)
{
	char *p;

	if (unlikely(len == SIZE_MAX))
		return alba_core_alloc(arena, SIZE_MAX, 1, gfp, ip);
	p = alba_core_alloc(arena, len + 1, 1, gfp, ip);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/**
 * alba_strndup() - copy at most @max bytes of a string into an arena
 * @arena: the arena
 * @s: the string, or NULL
 * @max: the most bytes to copy before the terminator
 * @gfp: as for alba_alloc()
 *
 * Like kstrndup(): the copy is always terminated, and holds the first
 * min(strlen(@s), @max) bytes of @s.
 *
 * Context: as alba_alloc().
 * Return: the copy, or NULL for a NULL @s or without memory.
 */
char *alba_strndup(struct alba *arena, const char *s, size_t max, gfp_t gfp)
{
	if (!s)
		return NULL;
	return strcopy_at(arena, s, strnlen(s, max), gfp, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_strndup);

/**
 * alba_strdup() - copy a string into an arena
 * @arena: the arena
 * @s: the string, or NULL
 * @gfp: as for alba_alloc()
 *
 * Like kstrdup().
 *
 * Context: as alba_alloc().
 * Return: the copy, or NULL for a NULL @s or without memory.
 */
char *alba_strdup(struct alba *arena, const char *s, gfp_t gfp)
{
	if (!s)
		return NULL;
	return strcopy_at(arena, s, strlen(s), gfp, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_strdup);

static char *vasprintf_at(struct alba *arena, gfp_t gfp, const char *fmt,
			  va_list ap, unsigned long ip)
{
	va_list measure;
	int len;
	char *p;

	va_copy(measure, ap);
	len = vsnprintf(NULL, 0, fmt, measure);
	va_end(measure);
	if (len < 0) {
		alba_plat_invalid_at(ip, "format \"%s\" failed", fmt);
		return NULL;
	}
	p = alba_core_alloc(arena, (size_t)len + 1, 1, gfp, ip);
	if (p)
		vsnprintf(p, (size_t)len + 1, fmt, ap);
	return p;
}

/**
 * alba_vasprintf() - format a string into an arena
 * @arena: the arena
 * @gfp: as for alba_alloc()
 * @fmt: a printf format (the kernel's vsnprintf() in the kernel, the C
 *	library's in userspace: use what both have for portable code)
 * @ap: its arguments
 *
 * Like kvasprintf(): the string is measured, then written into an object of
 * exactly its length plus the terminator; one longer than a block gets a
 * dedicated block.
 *
 * Context: as alba_alloc().
 * Return: the string, or NULL without memory (or, in userspace, with
 * errno EINVAL for a format the C library rejects).
 */
char *alba_vasprintf(struct alba *arena, gfp_t gfp, const char *fmt,
		     va_list ap)
{
	return vasprintf_at(arena, gfp, fmt, ap, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_vasprintf);

/**
 * alba_asprintf() - format a string into an arena
 * @arena: the arena
 * @gfp: as for alba_alloc()
 * @fmt: as for alba_vasprintf()
 *
 * Like kasprintf().
 *
 * Context: as alba_alloc().
 * Return: as alba_vasprintf().
 */
char *alba_asprintf(struct alba *arena, gfp_t gfp, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = vasprintf_at(arena, gfp, fmt, ap, alba_plat_caller());
	va_end(ap);
	return p;
}
EXPORT_SYMBOL_GPL(alba_asprintf);
