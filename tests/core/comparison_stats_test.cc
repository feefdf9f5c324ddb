// The comparison statistics against published worked examples (Newcombe
// 1998a/b tables; Garwood's exact Poisson limits as tabulated) and values
// computed by hand from the textbook formulas.
#include "core/comparison_stats.h"

#include <gtest/gtest.h>

namespace scoliomassage::core {
namespace {

constexpr double kFourPlaces = 5e-5;

TEST(ComparisonStats, MeanUsesStudentsT) {
  // mean 3, sd sqrt(2.5), se 0.70711, t(0.975, 4) = 2.77645.
  MeanEstimate mean = EstimateMean({1, 2, 3, 4, 5});
  EXPECT_EQ(mean.n, 5);
  EXPECT_DOUBLE_EQ(mean.mean, 3);
  EXPECT_NEAR(mean.sd, 1.58114, 1e-5);
  ASSERT_TRUE(mean.ci95);
  EXPECT_NEAR(mean.ci95->low, 1.03676, 1e-5);
  EXPECT_NEAR(mean.ci95->high, 4.96324, 1e-5);
}

TEST(ComparisonStats, OneValueHasNoInterval) {
  MeanEstimate mean = EstimateMean({4});
  EXPECT_EQ(mean.n, 1);
  EXPECT_DOUBLE_EQ(mean.mean, 4);
  EXPECT_FALSE(mean.ci95);
  EXPECT_FALSE(EstimateMean({}).ci95);
}

TEST(ComparisonStats, WilsonMatchesNewcombesTable) {
  struct Case { int k, n; double low, high; };
  for (const Case& c : {Case{81, 263, 0.2553, 0.3662}, Case{15, 148, 0.0624, 0.1605},
                        Case{0, 20, 0.0, 0.1611}, Case{1, 29, 0.0061, 0.1718}}) {
    ProportionEstimate p = EstimateProportion(c.k, c.n);
    ASSERT_TRUE(p.ci95) << c.k << "/" << c.n;
    EXPECT_NEAR(p.ci95->low, c.low, kFourPlaces) << c.k << "/" << c.n;
    EXPECT_NEAR(p.ci95->high, c.high, kFourPlaces) << c.k << "/" << c.n;
  }
}

TEST(ComparisonStats, AllSuccessesReachOneAndNoneHasNoInterval) {
  ProportionEstimate all = EstimateProportion(10, 10);
  ASSERT_TRUE(all.ci95);
  EXPECT_DOUBLE_EQ(all.ci95->high, 1.0);
  EXPECT_NEAR(all.ci95->low, 0.7225, kFourPlaces);
  EXPECT_FALSE(EstimateProportion(0, 0).ci95);
}

TEST(ComparisonStats, ExactPoissonIncludingZeroEvents) {
  // Garwood limits for a count: 0 -> (0, 3.689), 1 -> (0.0253, 5.572), 5 -> (1.6235, 11.668).
  RateEstimate zero = EstimateRate(0, 100);
  ASSERT_TRUE(zero.ci95);
  EXPECT_DOUBLE_EQ(zero.rate, 0);
  EXPECT_DOUBLE_EQ(zero.ci95->low, 0);
  EXPECT_NEAR(zero.ci95->high, 3.6889, 1e-4);
  RateEstimate one = EstimateRate(1, 100);
  EXPECT_NEAR(one.ci95->low, 0.0253, 1e-4);
  EXPECT_NEAR(one.ci95->high, 5.5716, 1e-4);
  // 5 events in 250 sessions: 2 per 100 sessions, limits scaled by 100/250.
  RateEstimate five = EstimateRate(5, 250);
  EXPECT_DOUBLE_EQ(five.rate, 2);
  EXPECT_NEAR(five.ci95->low, 1.6235 * 0.4, 1e-4);
  EXPECT_NEAR(five.ci95->high, 11.6683 * 0.4, 1e-4);
  EXPECT_FALSE(EstimateRate(0, 0).ci95);
}

TEST(ComparisonStats, WelchDifferenceOfMeans) {
  // Equal n and variances: se 1, df 8, t(0.975, 8) = 2.30600.
  DifferenceEstimate d = DifferenceOfMeans(EstimateMean({1, 2, 3, 4, 5}), EstimateMean({3, 4, 5, 6, 7}));
  EXPECT_DOUBLE_EQ(d.difference, -2);
  ASSERT_TRUE(d.ci95);
  EXPECT_NEAR(d.ci95->low, -4.30600, 1e-5);
  EXPECT_NEAR(d.ci95->high, 0.30600, 1e-5);
  // Unequal variances: va = 2.5/5 = 0.5, vb = 10/5 = 2; df = 6.25 / (0.0625 + 1) = 5.88235.
  DifferenceEstimate w = DifferenceOfMeans(EstimateMean({1, 2, 3, 4, 5}), EstimateMean({0, 2, 4, 6, 8}));
  EXPECT_DOUBLE_EQ(w.difference, -1);
  ASSERT_TRUE(w.ci95);
  // t(0.975, 5.88235) = 2.458824 (Simpson integration of the t density,
  // solved by bisection), se = sqrt(2.5) = 1.581139.
  EXPECT_NEAR(w.ci95->high - w.difference, 2.458824 * 1.581139, 1e-5);
  EXPECT_NEAR(w.difference - w.ci95->low, 2.458824 * 1.581139, 1e-5);
  EXPECT_FALSE(DifferenceOfMeans(EstimateMean({1}), EstimateMean({1, 2})).ci95);
}

TEST(ComparisonStats, NewcombeDifferenceOfProportions) {
  struct Case { int a, n1, b, n2; double low, high; };
  for (const Case& c : {Case{56, 70, 48, 80, 0.0524, 0.3339}, Case{9, 10, 3, 10, 0.1705, 0.8090},
                        Case{6, 7, 2, 7, 0.0582, 0.8062}, Case{5, 56, 0, 29, -0.0381, 0.1926}}) {
    DifferenceEstimate d =
        DifferenceOfProportions(EstimateProportion(c.a, c.n1), EstimateProportion(c.b, c.n2));
    ASSERT_TRUE(d.ci95);
    EXPECT_NEAR(d.ci95->low, c.low, kFourPlaces) << c.a << "/" << c.n1 << " - " << c.b << "/" << c.n2;
    EXPECT_NEAR(d.ci95->high, c.high, kFourPlaces) << c.a << "/" << c.n1 << " - " << c.b << "/" << c.n2;
  }
}

TEST(ComparisonStats, SmallCellsAndTheirComplementAreSuppressed) {
  // One small cell: the smallest other cell goes too, so the total reveals nothing.
  Suppression one = SuppressSmallCells({12, 3, 7, 20}, 42);
  EXPECT_EQ(one.cells, (std::vector<bool>{false, true, true, false}));
  EXPECT_FALSE(one.total);
  // Two small cells hide each other; empty cells are not shown and not counted.
  Suppression two = SuppressSmallCells({12, 3, 0, 4, 20}, 39);
  EXPECT_EQ(two.cells, (std::vector<bool>{false, true, false, true, false}));
  EXPECT_FALSE(two.total);
  // Exactly the threshold is shown.
  Suppression none = SuppressSmallCells({5, 5}, 10);
  EXPECT_EQ(none.cells, (std::vector<bool>{false, false}));
  EXPECT_FALSE(none.total);
}

TEST(ComparisonStats, ALoneSmallCellWithoutComplementHidesTheTotal) {
  Suppression alone = SuppressSmallCells({3}, 3);
  EXPECT_EQ(alone.cells, (std::vector<bool>{true}));
  EXPECT_TRUE(alone.total);
  // A small table total is suppressed even when every cell is.
  Suppression small = SuppressSmallCells({2, 2}, 4);
  EXPECT_EQ(small.cells, (std::vector<bool>{true, true}));
  EXPECT_TRUE(small.total);
}

}  // namespace
}  // namespace scoliomassage::core
