// Sets of names (knobs, tests) as the bisect engine, its order search and
// its report handle them: small lists, kept in a given order.
#pragma once

#include <string>
#include <vector>

namespace deflake {

using Names = std::vector<std::string>;

/// The names of `all` that are not in `some`, in the order of `all`.
Names minus(const Names& all, const Names& some);

/// `names`, sorted.
Names sorted(Names names);

/// "a, b, c" for a line a person reads; "nothing" for none.
std::string list(const Names& names);

}  // namespace deflake
