package dev.morse.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import org.junit.jupiter.api.Test;

/**
 * {@link Erf} against an independent reference: erf and erfc in BigDecimal, from the series
 * erf x = (2x/√π)·e^{−x²}·Σₙ (2x²)ⁿ/(1·3·…·(2n+1)) (A&amp;S 7.1.6: positive terms, no
 * cancellation), with π by Machin's formula and e^{−x²} by its Taylor series, all with enough
 * digits that erfc = 1 − erf keeps 40 of them. Also GELU's value, x·Φ(x), against the same
 * reference.
 */
class ErfTest {
    /** Relative error bound of erf and erfc (the class comment of Erf; measured max ≈ see the assertion messages). */
    static final double TOL = 1e-15;

    private static BigDecimal atanInv(int k, MathContext mc) {
        BigDecimal kk = BigDecimal.valueOf(k);
        BigDecimal k2 = kk.multiply(kk);
        BigDecimal pow = BigDecimal.ONE.divide(kk, mc);
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal eps = BigDecimal.ONE.movePointLeft(mc.getPrecision() + 5);
        for (int n = 0; ; n++) {
            BigDecimal term = pow.divide(BigDecimal.valueOf(2L * n + 1), mc);
            sum = n % 2 == 0 ? sum.add(term, mc) : sum.subtract(term, mc);
            if (term.compareTo(eps) < 0) {
                return sum;
            }
            pow = pow.divide(k2, mc);
        }
    }

    static BigDecimal pi(MathContext mc) {
        return atanInv(5, mc).multiply(BigDecimal.valueOf(16), mc)
                .subtract(atanInv(239, mc).multiply(BigDecimal.valueOf(4), mc), mc);
    }

    /** e^y for y ≥ 0 by its Taylor series (positive terms). */
    private static BigDecimal exp(BigDecimal y, MathContext mc) {
        BigDecimal sum = BigDecimal.ONE;
        BigDecimal term = BigDecimal.ONE;
        for (int n = 1; ; n++) {
            term = term.multiply(y, mc).divide(BigDecimal.valueOf(n), mc);
            sum = sum.add(term, mc);
            if (n > 2 * y.doubleValue() + 10 && term.compareTo(sum.movePointLeft(mc.getPrecision() + 5)) < 0) {
                return sum;
            }
        }
    }

    /** The precision that leaves 40 digits in erfc(|x|) after 1 − erf. */
    private static MathContext digitsFor(double x) {
        return new MathContext(45 + (int) Math.ceil(x * x / Math.log(10)), RoundingMode.HALF_EVEN);
    }

    /** erf(x) for x ≥ 0 (exact binary value of x), in BigDecimal. */
    static BigDecimal erfRef(BigDecimal x, MathContext mc) {
        if (x.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal x2 = x.multiply(x, mc);
        BigDecimal twoX2 = x2.add(x2);
        BigDecimal sum = BigDecimal.ONE;
        BigDecimal term = BigDecimal.ONE;
        for (int n = 1; ; n++) {
            term = term.multiply(twoX2, mc).divide(BigDecimal.valueOf(2L * n + 1), mc);
            sum = sum.add(term, mc);
            if (n > twoX2.doubleValue() && term.compareTo(sum.movePointLeft(mc.getPrecision() + 5)) < 0) {
                break;
            }
        }
        BigDecimal sqrtPi = pi(mc).sqrt(mc);
        BigDecimal e = BigDecimal.ONE.divide(exp(x2, mc), mc);
        return x.add(x).multiply(e, mc).multiply(sum, mc).divide(sqrtPi, mc);
    }

    /** erfc(x) in BigDecimal, any sign. */
    static BigDecimal erfcRef(double x) {
        MathContext mc = digitsFor(x);
        BigDecimal c = BigDecimal.ONE.subtract(erfRef(new BigDecimal(Math.abs(x)), mc), mc);
        return x >= 0 ? c : BigDecimal.valueOf(2).subtract(c, mc);
    }

    static BigDecimal erfRefSigned(double x) {
        BigDecimal e = erfRef(new BigDecimal(Math.abs(x)), digitsFor(x));
        return x >= 0 ? e : e.negate();
    }

    private static double relErr(double got, BigDecimal ref) {
        if (ref.signum() == 0) {
            return got == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        MathContext mc = new MathContext(30);
        return new BigDecimal(got).subtract(ref, mc).divide(ref, mc).abs().doubleValue();
    }

    /** The test's points: an irregular grid over [−6, 26.5] and the seams of Erf's ranges. */
    private static double[] points() {
        java.util.List<Double> xs = new java.util.ArrayList<>();
        for (double x = -6.0; x <= 8.0; x += 0.0377) {
            xs.add(x);
        }
        for (double x = 8.0; x <= 26.5; x += 0.41) { // coarser: the reference needs x²/ln 10 more digits
            xs.add(x);
        }
        double[] seams = {0.0, 1e-300, 1e-20, 1e-8, 0.01, 0.25, Erf.SERIES_MAX, Erf.TAYLOR_MAX, 0.5 + 0.0625,
            0.5 + 0.125, 3.0625, 7.9375, 26.0};
        for (double s : seams) {
            for (double v : new double[] {s, Math.nextUp(s), Math.nextDown(s)}) {
                if (v == 0 || Math.abs(v) >= Double.MIN_NORMAL) { // subnormal erf(x) ≈ 1.13x has no relative precision
                    xs.add(v);
                    xs.add(-v);
                }
            }
        }
        double[] out = new double[xs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = xs.get(i);
        }
        return out;
    }

    @Test
    void erfAndErfcAgreeWithTheBigDecimalReference() {
        double worstErf = 0;
        double worstErfc = 0;
        double atErf = 0;
        double atErfc = 0;
        for (double x : points()) {
            if (Math.abs(x) <= 6.0) {
                double e = relErr(Erf.erf(x), erfRefSigned(x));
                if (e > worstErf) {
                    worstErf = e;
                    atErf = x;
                }
            }
            if (x >= -6.0 && x <= 26.0) { // beyond 26.0 erfc is within a factor 1e8 of the subnormals
                double e = relErr(Erf.erfc(x), erfcRef(x));
                if (e > worstErfc) {
                    worstErfc = e;
                    atErfc = x;
                }
            }
        }
        assertTrue(worstErf <= TOL, "erf: max relative error " + worstErf + " at x = " + atErf);
        assertTrue(worstErfc <= TOL, "erfc: max relative error " + worstErfc + " at x = " + atErfc);
    }

    @Test
    void limitsSymmetryAndSpecialValues() {
        assertEquals(0.0, Erf.erf(0.0), 0.0);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(Erf.erf(-0.0)));
        assertEquals(1.0, Erf.erfc(0.0), 0.0);
        assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY), 0.0);
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY), 0.0);
        assertEquals(0.0, Erf.erfc(Double.POSITIVE_INFINITY), 0.0);
        assertEquals(2.0, Erf.erfc(Double.NEGATIVE_INFINITY), 0.0);
        assertEquals(0.0, Erf.erfc(40.0), 0.0);
        assertTrue(Double.isNaN(Erf.erf(Double.NaN)));
        assertTrue(Double.isNaN(Erf.erfc(Double.NaN)));
        for (double x = -5; x <= 5; x += 0.173) {
            assertEquals(-Erf.erf(x), Erf.erf(-x), 0.0, "erf is odd");
            assertEquals(2.0, Erf.erfc(x) + Erf.erfc(-x), 4e-16, "erfc(x) + erfc(−x) = 2");
        }
    }

    @Test
    void geluIsXTimesTheNormalCdf() {
        BigDecimal sqrt2 = BigDecimal.valueOf(2).sqrt(new MathContext(80));
        for (double x = -8; x <= 8; x += 0.0913) {
            // Φ(x) = ½erfc(−x/√2), the argument in BigDecimal
            MathContext mc = digitsFor(x / Math.sqrt(2));
            BigDecimal a = new BigDecimal(-x).divide(sqrt2, mc);
            BigDecimal erfc = a.signum() <= 0 ? BigDecimal.ONE.add(erfRef(a.negate(), mc), mc)
                    : BigDecimal.ONE.subtract(erfRef(a, mc), mc);
            BigDecimal ref = new BigDecimal(x).multiply(erfc, mc).divide(BigDecimal.valueOf(2), mc);
            // the rounding of −x/√2 in double moves erfc by up to (2a²+1)·ε relative
            double bound = 4e-16 * (2 + x * x);
            double e = relErr(UnaryFn.GELU.f(x, 0), ref);
            assertTrue(e <= bound, "gelu(" + x + "): relative error " + e + " > " + bound);
        }
    }
}
