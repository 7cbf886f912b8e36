// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Lua 5.4 with alba's allocator: a script that builds 20,000 records,
 * sorts them and concatenates a report. `lua glibc` runs it in
 * luaL_newstate(), `lua alba` in lua_newstate(alba_hooks_lua_alloc,
 * arena); the outputs must match.
 */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "alba.h"

static const char script[] =
	"local recs = {}\n"
	"local seed = 3\n"
	"for i = 1, 20000 do\n"
	"  seed = (seed * 1103515245 + 12345) % 2147483648\n"
	"  recs[i] = { id = i, name = 'rec' .. (seed % 997), score = seed % 1000 }\n"
	"end\n"
	"table.sort(recs, function(a, b)\n"
	"  if a.score ~= b.score then return a.score < b.score end\n"
	"  return a.id < b.id end)\n"
	"local out = {}\n"
	"for i = 1, #recs, 50 do\n"
	"  local r = recs[i]\n"
	"  out[#out + 1] = string.format('%d %s %d', r.id, r.name, r.score)\n"
	"end\n"
	"return table.concat(out, '\\n')\n";

int main(int argc, char **argv)
{
	struct alba *arena = NULL;
	lua_State *L;

	if (argc != 2 || (strcmp(argv[1], "glibc") && strcmp(argv[1], "alba")))
		return 2;
	if (!strcmp(argv[1], "alba")) {
		arena = alba_create("lua", 0, 0);
		if (!arena)
			return 1;
		L = lua_newstate(alba_hooks_lua_alloc, arena);
	} else {
		L = luaL_newstate();
	}
	if (!L)
		return 1;
	luaL_openlibs(L);
	if (luaL_dostring(L, script)) {
		fprintf(stderr, "lua: %s\n", lua_tostring(L, -1));
		return 1;
	}
	puts(lua_tostring(L, -1));
	lua_close(L);
	if (arena)
		alba_destroy(arena);
	return 0;
}
