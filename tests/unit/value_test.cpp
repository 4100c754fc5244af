// kfix::Value: types, accessors, object/array editing and deep equality.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "kfix/core.hpp"

using kfix::Value;

TEST_CASE("Value: construction and type names") {
  CHECK(Value().is_null());
  CHECK(Value(nullptr).type_name() == std::string("null"));
  CHECK(Value(true).type_name() == std::string("boolean"));
  CHECK(Value(3).is_int());
  CHECK(Value(std::uint16_t{3}).as_int() == 3);
  CHECK(Value(3).type_name() == std::string("integer"));
  CHECK(Value(2.5).type_name() == std::string("number"));
  CHECK(Value("s").type_name() == std::string("string"));
  CHECK(Value(std::string_view("sv")).as_string() == "sv");
  CHECK(Value::MakeArray().type_name() == std::string("array"));
  CHECK(Value::MakeObject().type_name() == std::string("object"));
  CHECK(Value(7).as_number() == 7.0);
  CHECK(Value(7).string_or("fb") == "fb");
  CHECK(Value("x").string_or("fb") == "x");
  CHECK(Value("x").size() == 0);
}

TEST_CASE("Value: object editing keeps order and finds keys") {
  Value o = Value::MakeObject();
  o.Set("b", 1);
  o.Set("a", 2);
  o.Set("b", 3);  // in place
  REQUIRE(o.size() == 2);
  CHECK(o.as_object()[0].key == "b");
  CHECK(o.Find("b")->as_int() == 3);
  CHECK(o.Find("zz") == nullptr);
  CHECK(Value(1).Find("b") == nullptr);
  o.Set("n", Value::MakeObject()).Set("m", "deep");
  CHECK(o.FindPath({"n", "m"})->as_string() == "deep");
  CHECK(o.FindPath({"n", "x"}) == nullptr);
  CHECK(o.FindMember("a")->key == "a");
  CHECK(o.Erase("a"));
  CHECK_FALSE(o.Erase("a"));
  CHECK(o.size() == 2);
  Value a = Value::MakeArray();
  a.PushBack(1);
  a.PushBack("two");
  CHECK(a.size() == 2);
  CHECK(a.as_array()[1].as_string() == "two");
}

TEST_CASE("Value: deep equality is numeric, order-insensitive and position-blind") {
  CHECK(Value(1) == Value(1.0));
  CHECK(Value(0) == Value(-0.0));
  CHECK(Value(1) != Value(1.5));
  CHECK(Value(1) != Value("1"));
  CHECK(Value(true) != Value(1));
  CHECK(Value() == Value(nullptr));
  CHECK(Value() != Value(false));
  CHECK(Value(std::nan("")) != Value(std::nan("")));  // IEEE: NaN is unequal to itself
  CHECK(Value(std::numeric_limits<std::int64_t>::max()) != Value(std::numeric_limits<std::int64_t>::max() - 1));
  Value x = Value::MakeObject();
  x.Set("a", 1);
  x.Set("b", Value::MakeArray());
  Value y = Value::MakeObject();
  y.Set("b", Value::MakeArray());
  y.Set("a", 1.0);
  y.set_position(4, 2);
  CHECK(x == y);
  y.Find("b")->PushBack(Value());
  CHECK(x != y);
  Value arr1 = Value::MakeArray();
  arr1.PushBack(1);
  arr1.PushBack(2);
  Value arr2 = Value::MakeArray();
  arr2.PushBack(2);
  arr2.PushBack(1);
  CHECK(arr1 != arr2);  // arrays are ordered
  Value sub = Value::MakeObject();
  sub.Set("a", 1);
  Value super = sub;
  super.Set("c", 3);
  CHECK(sub != super);
  CHECK(super != sub);
}

TEST_CASE("Value: copies are deep") {
  Value a = Value::MakeObject();
  a.Set("list", Value::MakeArray()).PushBack(1);
  Value b = a;
  b.Find("list")->PushBack(2);
  CHECK(a.Find("list")->size() == 1);
  CHECK(b.Find("list")->size() == 2);
}
