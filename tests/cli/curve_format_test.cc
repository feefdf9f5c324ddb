// The curve list table: one row per film, empty cells for what is unknown.
#include <string>
#include <vector>

#include "cli/curve_commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scoliomassage::cli {
namespace {

using ::testing::ElementsAre;

TEST(CurveTableTest, RowShowsTheFilmAndLeavesUnknownsEmpty) {
  v1::CurveMeasurement film;
  film.set_name("curveMeasurements/abc");
  film.set_revision(2);
  film.mutable_taken_at()->set_seconds(1768035600);  // 2026-01-10T09:00:00Z
  film.set_spine_region(v1::SPINE_REGION_THORACOLUMBAR);
  film.set_cobb_angle_degrees(27.25);
  film.set_measured_by("dr-a");
  EXPECT_THAT(CurveTableRow(film),
              ElementsAre("2026-01-10T09:00:00Z", "THORACOLUMBAR", "27.2", "", "", "", "dr-a", "2",
                          "curveMeasurements/abc"));
  film.set_convex_side(v1::SIDE_LEFT);
  film.set_risser_grade(0);
  film.set_apex("T12");
  const auto row = CurveTableRow(film);
  EXPECT_EQ(row[3], "LEFT");
  EXPECT_EQ(row[4], "T12");
  EXPECT_EQ(row[5], "0");
  EXPECT_EQ(CurveTableHeader().size(), row.size());
}

}  // namespace
}  // namespace scoliomassage::cli
