// SPDX-License-Identifier: BSL-1.0
// The filter contract: what every bytesio filter promises a Boost.Iostreams
// chain (round trip or pass-through at every chunk size, both directions,
// sticky failures, closing, reuse, the declared buffer), written once in
// test/support/filter_contract.hpp and run over every filter
// (test/support/filter_subjects.hpp). What only one filter promises stays
// in that filter's test file.

#define BOOST_TEST_MODULE filter_contract
#include "support/unit_test.hpp"

#include "support/filter_subjects.hpp"

using namespace bytesio::test;

BOOST_AUTO_TEST_CASE_TEMPLATE(declares_its_category_and_buffer, S, filter_subjects) {
  check_category<S>();
}

BOOST_AUTO_TEST_CASE_TEMPLATE(boost_harness_at_every_chunk_size, S, filter_subjects) {
  check_boost_harness<S>();
}

BOOST_AUTO_TEST_CASE_TEMPLATE(both_directions_at_every_chunk_size, S, filter_subjects) {
  check_both_directions<S>();
}

BOOST_AUTO_TEST_CASE_TEMPLATE(compose_copy_and_pipelines, S, filter_subjects) {
  check_compose_and_pipelines<S>();
}

BOOST_AUTO_TEST_CASE_TEMPLATE(bad_input_fails_stickily_in_both_directions, S, filter_subjects) {
  check_bad_input_sticks<S>();
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_refusing_sink_fails_stickily, S, filter_subjects) {
  check_sink_failure_sticks<S>();
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_size_limited_bytes_device_stops_the_chain, S, filter_subjects) {
  check_size_limited_device_stops_the_chain<S>();
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_failing_source_fails_stickily, S, filter_subjects) {
  check_source_failure_sticks<S>();
}

BOOST_AUTO_TEST_CASE_TEMPLATE(close_twice, S, filter_subjects) { check_close_twice<S>(); }

BOOST_AUTO_TEST_CASE_TEMPLATE(reset_and_reuse_for_a_second_stream, S, filter_subjects) {
  check_reset_and_reuse<S>();
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_plain_push_uses_the_declared_buffer, S, filter_subjects) {
  check_declared_buffer_is_used<S>();
}
