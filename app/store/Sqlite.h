// A small RAII layer over the SQLite C library: a connection, prepared statements with
// bound parameters, and transactions that roll back unless committed. Errors are values
// (hearth::Result) carrying SQLite's message and the statement at fault.
//
//   auto db = sql::Database::open(path);
//   sql::Statement st(*db, "SELECT title FROM conversations WHERE id = ?1");
//   st.bind(1, id);
//   while (auto row = st.step(); row && *row) use(st.text(0));
#pragma once

#include "hearth/error.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace hearth::sql {

class Database {
public:
  enum class Mode { ReadWrite, ReadOnly };
  static Result<Database> open(const QString &path, Mode mode = Mode::ReadWrite);

  Database() = default;
  Database(Database &&other) noexcept;
  Database &operator=(Database &&other) noexcept;
  Database(const Database &) = delete;
  Database &operator=(const Database &) = delete;
  ~Database();

  void close();
  bool isOpen() const { return m_db != nullptr; }
  sqlite3 *handle() const { return m_db; }
  const QString &path() const { return m_path; }

  // Runs one or more statements without parameters (schema, pragmas).
  Status exec(std::string_view sql);
  // The single value of a one-row query without parameters ("PRAGMA user_version").
  Result<qint64> scalarInt(std::string_view sql);
  Result<QString> scalarText(std::string_view sql);
  qint64 lastInsertId() const;
  int changes() const;
  Error error(std::string_view what) const; // an Error from the connection's last failure

private:
  sqlite3 *m_db = nullptr;
  QString m_path;
};

class Statement {
public:
  Statement(Database &db, std::string_view sql);
  Statement(const Statement &) = delete;
  Statement &operator=(const Statement &) = delete;
  ~Statement();

  // Preparation failed? (then every step() returns the error).
  const std::optional<Error> &prepareError() const { return m_prepareError; }

  Statement &bind(int index, qint64 value);
  Statement &bind(int index, int value) { return bind(index, qint64(value)); }
  Statement &bind(int index, double value);
  Statement &bind(int index, const QString &value);
  Statement &bind(int index, std::string_view value);
  Statement &bindNull(int index);
  Statement &bindFrom(int index, const Statement &other, int col); // the value as it is typed
  Statement &bind(int index, std::optional<qint64> value)
  {
    return value ? bind(index, *value) : bindNull(index);
  }

  // true: a row is ready; false: done. Errors as values.
  Result<bool> step();
  // Runs a statement that returns no rows (resets it first, keeps the bindings). Binding
  // after a step resets the statement, so one statement can be bound and run in a loop.
  Status run();
  void reset();

  bool isNull(int col) const;
  qint64 integer(int col) const;
  double real(int col) const;
  QString text(int col) const;
  QByteArray bytes(int col) const;

private:
  Database &m_db;
  sqlite3_stmt *m_stmt = nullptr;
  std::string m_sql; // for error messages
  std::optional<Error> m_prepareError;
  bool m_done = false;
  bool m_stepped = false; // stepped since the last reset: binding needs a reset first

  bool readyToBind();
};

// BEGIN IMMEDIATE on construction; rolls back on destruction unless commit() succeeded.
class Transaction {
public:
  explicit Transaction(Database &db);
  Transaction(const Transaction &) = delete;
  Transaction &operator=(const Transaction &) = delete;
  ~Transaction();
  const Status &begun() const { return m_begun; }
  Status commit();

private:
  Database &m_db;
  Status m_begun;
  bool m_open = false;
};

} // namespace hearth::sql
