#pragma once
#include <cstddef>

namespace ajs {

// Empties a table (a std::vector or std::string) for the next request with the same plan, keeping
// its room unless that is over `keep_bytes`: a beacon's tables are a few hundred bytes, kept so
// that the next beacon does not allocate them again; a big batch's (up to MBs) are freed, so that
// it leaves nothing behind.
template <class Table>
void clear_keeping_room(Table& table, std::size_t keep_bytes) {
  if (table.capacity() * sizeof(typename Table::value_type) > keep_bytes)
    Table().swap(table);
  else
    table.clear();
}

}  // namespace ajs
