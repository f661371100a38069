// What the parts of the template engine share (template.cc: syntax and execution;
// template_value.cc: values; template_funcs.cc: functions). Internal to the manager.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "libcontainer/error.h"
#include "template.h"

namespace mgr::tmpl {

// An object's entries sorted by key (Go ranges over and prints maps in key order).
std::vector<const std::pair<std::string, Value>*> sortedEntries(const Value& v);
// Whether `name` is a template function; calling one with evaluated arguments.
bool isFunction(const std::string& name);
lc::Result<Value> callFunc(const std::string& name, const std::vector<Value>& args);

}  // namespace mgr::tmpl
