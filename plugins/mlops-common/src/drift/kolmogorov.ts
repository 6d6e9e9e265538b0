/**
 * Distribution of the two-sided one-sample Kolmogorov-Smirnov statistic D_n
 * (SciPy's `kstwo`), needed for the asymptotic two-sample KS p-value.
 *
 * This follows SciPy's `scipy/stats/_ksstats.py` (`kolmogn`, after Simard &
 * L'Ecuyer 2011) branch for branch, so the same method is used for the same
 * (n, d), and the one-sided Smirnov survival function of SciPy's cephes
 * `kolmogorov.c`:
 *
 * - Ruben-Gambino closed forms for d <= 1/n and d >= 1 - 1/n,
 * - 2 * Smirnov(n, d) for d >= 1/2 (exact there) and in the upper tail,
 * - the Durbin matrix (Marsaglia-Tsang-Wang) and Pomeranz recursions for
 *   small n d^2,
 * - the Pelz-Good asymptotic series for large n.
 *
 * Differences from SciPy: cephes evaluates the Smirnov sum in double-double
 * arithmetic; here each term is evaluated in log space with exactly computed
 * floor(n d) and remainder, which keeps ~1e-10 relative accuracy for
 * n <= 1e6 (far inside the 1e-4 tolerance this module promises).
 */
import { clipProbability, ldexp, twoProduct } from './special';

const E128 = 2 ** 128;
const EM128 = 2 ** -128;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const MIN_LOG = -708;
const SQRT3 = Math.sqrt(3);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;
const DBL_EPSILON = 2.220446049250313e-16;
// cephes MINLOG = log(2^-1022): exp() of anything below underflows.
const CEPHES_MINLOG = -708.3964185322641;
const SMIRNOV_MAX_COMPUTE_N = 1000000;

// Bernoulli-based Stirling coefficients, highest order first (polyval order).
const STIRLING_COEFFS = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
  8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
  -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

/** log(n! / n^n), without forming n log n and cancelling it. */
function logNFactorialDivNPowN(n: number): number {
  const rn = 1 / n;
  const u = rn / n;
  let poly = 0;
  for (const c of STIRLING_COEFFS) {
    poly = poly * u + c;
  }
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/**
 * floor(n x) and the remainder n x - floor(n x), computed exactly (the
 * double product n*x may round across an integer, which would change the
 * number of terms of the Smirnov sum).
 */
function floorAndRemainder(n: number, x: number): [number, number] {
  const [p, err] = twoProduct(n, x);
  let fl = Math.floor(p);
  let alpha = p - fl + err;
  if (alpha < 0) {
    fl -= 1;
    alpha += 1;
  }
  if (alpha >= 1) {
    fl += 1;
    alpha -= 1;
  }
  return [fl, alpha];
}

/**
 * Survival function of the one-sided Smirnov statistic, P(D_n^+ >= x)
 * (cephes `smirnov`).
 *
 * @public
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) {
    return Number.NaN;
  }
  if (n === 1) {
    return 1 - x;
  }
  if (x === 0) {
    return 1;
  }
  if (x === 1) {
    return 0;
  }
  const [nxfl, alpha] = floorAndRemainder(n, x);
  // Special case x <= 1/n: cdf = x (1 + x)^(n - 1).
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const cdf = x * Math.exp((n - 1) * Math.log1p(x));
    return clipProbability(1 - cdf);
  }
  if (-2 * n * x * x < CEPHES_MINLOG) {
    return 0;
  }
  if (nxfl >= n - 1) {
    return clipProbability(Math.exp(n * Math.log1p(-x)));
  }
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -((6 * n * x + 1) ** 2) / 18 / n;
    return clipProbability(
      logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp),
    );
  }
  // Birnbaum-Tingey lower sum (all terms positive):
  //   sf = x * sum_{v=0}^{floor(n(1-x))} C(n,v) (x+v/n)^(v-1) (1-x-v/n)^(n-v)
  // With n x = nxfl + alpha, x + v/n = (nxfl + v + alpha)/n and
  // 1 - x - v/n = (n - nxfl - v - alpha)/n: an exact integer minus alpha,
  // which avoids the cancellation of forming 1 - x - v/n directly.
  let lastV = n - nxfl - (alpha === 0 ? 0 : 1);
  if (alpha === 0) {
    // The term with 1 - x - v/n == 0 vanishes.
    lastV -= 1;
  }
  const nTerms = lastV + 1;
  const logN = Math.log(n);
  const vmid = Math.floor(n / 2);
  // Terms are summed relative to a running maximum log to avoid underflow.
  let logScale = -Infinity;
  let sum = 0;
  // log C(n, v) accumulated with Neumaier compensation.
  let logC = 0;
  let logCComp = 0;
  for (let v = 0; v < nTerms; v++) {
    if (v > 0) {
      const y = Math.log((n - v + 1) / v);
      const t = logC + y;
      if (Math.abs(logC) >= Math.abs(y)) {
        logCComp += logC - t + y;
      } else {
        logCComp += y - t + logC;
      }
      logC = t;
    }
    const upper = n - nxfl - v - alpha; // n (1 - x - v/n)
    const lower = nxfl + v + alpha; // n (x + v/n)
    let logTerm: number;
    if (upper <= 0) {
      logTerm = -Infinity;
    } else {
      logTerm =
        logC +
        logCComp +
        (n - v) * (Math.log(upper) - logN) +
        (v - 1) * (Math.log(lower) - logN);
    }
    if (logTerm > -Infinity) {
      let rel: number;
      if (logTerm > logScale) {
        sum = sum * Math.exp(logScale - logTerm) + 1;
        logScale = logTerm;
        rel = 1;
      } else {
        rel = Math.exp(logTerm - logScale);
        sum += rel;
      }
      // Same early exit as cephes: remaining terms cannot matter.
      if (4 * (nTerms - v) * rel < DBL_EPSILON * sum && v !== nTerms - 1) {
        break;
      }
    } else if (v > vmid) {
      break;
    }
  }
  if (sum === 0) {
    return 0;
  }
  return clipProbability(x * Math.exp(logScale + Math.log(sum)));
}

/**
 * Durbin's matrix method in the Marsaglia-Tsang-Wang formulation: returns
 * the CDF P(D_n <= d). Cost O(m^3 log n) with m = 2 ceil(n d) - 1.
 */
function kolmognDMTW(n: number, d: number): number {
  if (d >= 1) {
    return 1;
  }
  const nd = n * d;
  if (nd <= 0.5) {
    return 0;
  }
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;

  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;

  let H = new Float64Array(m * m);
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) {
      H[r * m + i] = w[r - (i - 1)];
    }
  }
  for (let r = 0; r < m; r++) {
    H[r * m] = v[r];
  }
  for (let c = 0; c < m; c++) {
    H[(m - 1) * m + c] = v[m - 1 - c];
  }

  let Hpwr = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    Hpwr[i * m + i] = 1;
  }
  let nn = n;
  let expnt = 0;
  let Hexpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      Hpwr = matmul(Hpwr, H, m);
      expnt += Hexpnt;
    }
    H = matmul(H, H, m);
    Hexpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]) > E128) {
      for (let i = 0; i < m * m; i++) {
        H[i] /= E128;
      }
      Hexpnt += 128;
    }
    nn = Math.floor(nn / 2);
  }

  let p = Hpwr[(k - 1) * m + (k - 1)];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= E128;
      expnt -= 128;
    }
  }
  if (expnt !== 0) {
    p = ldexp(p, expnt);
  }
  return clipProbability(p);
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const rowOut = i * m;
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l];
      if (ail === 0) {
        continue;
      }
      const rowB = l * m;
      for (let j = 0; j < m; j++) {
        out[rowOut + j] += ail * b[rowB + j];
      }
    }
  }
  return out;
}

/** Endpoints of the non-zero interval of row i in the Pomeranz recursion. */
function pomeranzJ1J2(
  i: number,
  n: number,
  ll: number,
  ceilf: number,
  roundf: number,
): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pomeranz's recursion: returns the CDF P(D_n <= x). */
function kolmognPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  // Scaled Poisson weights (g/n)^m/m!, (2g/n)^m/m!, ((1-2g)/n)^m/m!.
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = 1;
  twogpower[0] = 1;
  onem2gpower[0] = 1;
  let expnt = 0;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1] * gOverN) / m;
    twogpower[m] = (twogpower[m - 1] * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1] * oneMinusTwoGOverN) / m;
  }

  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let [j1, j2] = pomeranzJ1J2(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf);
    let pwrs: Float64Array;
    if (i === 1 || i === 2 * n + 1) {
      pwrs = gpower;
    } else {
      pwrs = i % 2 ? twogpower : onem2gpower;
    }
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // Entries conv_start .. conv_start+conv_len-1 of the full convolution
      // of V0[k1-V0s .. k1-V0s+ln2) with pwrs[0 .. ln2).
      const aStart = k1 - V0s;
      const aLen = Math.max(0, Math.min(ln2, npwrs - aStart));
      const pLen = Math.min(ln2, npwrs);
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      let maxV = 0;
      for (let c = 0; c < convLen; c++) {
        const tIdx = convStart + c;
        let acc = 0;
        const sLo = Math.max(0, tIdx - pLen + 1);
        const sHi = Math.min(aLen - 1, tIdx);
        for (let s = sLo; s <= sHi; s++) {
          acc += V0[aStart + s] * pwrs[tIdx - s];
        }
        V1[c] = acc;
        if (acc > maxV) {
          maxV = acc;
        }
      }
      if (maxV > 0 && maxV < EM128) {
        for (let c = 0; c < npwrs; c++) {
          V1[c] *= E128;
        }
        expnt -= 128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s];
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > E128) {
      ans *= EM128;
      expnt += 128;
    }
    ans *= m;
  }
  if (expnt !== 0) {
    ans = ldexp(ans, expnt);
  }
  return clipProbability(ans);
}

/**
 * Pelz-Good asymptotic series for the CDF P(D_n <= x), used for large n.
 */
function kolmognPelzGood(n: number, x: number): number {
  if (x <= 0) {
    return 0;
  }
  if (x >= 1) {
    return 1;
  }
  const z = Math.sqrt(n) * x;
  const zsquared = z ** 2;
  const zthree = z ** 3;
  const zfour = z ** 4;
  const zsix = z ** 6;

  const qlog = -PI_SQUARED / 8 / zsquared;
  if (qlog < MIN_LOG) {
    return 0;
  }
  let q = Math.exp(qlog);

  const k1a = -zsquared;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * zsix + 2 * zfour;
  const k2b = ((2 * zfour - 5 * zsquared) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * zsquared)) / 16;
  const k3d = (PI_SIX * (5 - 30 * zsquared)) / 64;
  const k3c = (PI_FOUR * (-60 * zsquared + 212 * zfour)) / 16;
  const k3b = (PI_SQUARED * (135 * zfour - 96 * zsix)) / 4;
  const k3a = -30 * zsix - 90 * z ** 8;

  const K = [0, 0, 0, 0];
  // Horner scheme over odd integers for sum c_i q^(i^2).
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const msquared = m ** 2;
    const mfour = m ** 4;
    const msix = m ** 6;
    const qpower = q ** (8 * k);
    const coeffs = [
      1,
      k1a + k1b * msquared,
      k2a + k2b * msquared + k2c * mfour,
      k3a + k3b * msquared + k3c * mfour + k3d * msix,
    ];
    for (let i = 0; i < 4; i++) {
      K[i] = K[i] * qpower + coeffs[i];
    }
  }
  const denominators = [z, 6 * zfour, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) {
    K[i] = (K[i] * q * SQRT_2PI) / denominators[i];
  }

  // Remaining sums over all integers k for K2 and K3.
  q = Math.exp(-PI_SQUARED / 2 / zsquared);
  const sqrt3z = SQRT3 * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const ksquared = k * k;
    const qp = q ** ksquared;
    const kspi = Math.PI * k;
    k2extra += ksquared * qp;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qp;
  }
  K[2] += (k2extra * PI_SQUARED * SQRT_2PI) / (-36 * zthree);
  K[3] += (k3extra * PI_SQUARED * SQRT_2PI) / (216 * zsix);
  let total = 0;
  for (let i = 0; i < 4; i++) {
    total += K[i] / n ** (i / 2);
  }
  return total;
}

/**
 * Survival function P(D_n >= d) of the two-sided one-sample
 * Kolmogorov-Smirnov statistic, equal to SciPy's `kstwo.sf(d, n)`.
 *
 * @param d - the statistic value
 * @param n - the (integer) sample size
 * @public
 */
export function kstwoSf(d: number, n: number): number {
  if (Number.isNaN(d) || Number.isNaN(n)) {
    return Number.NaN;
  }
  if (!Number.isInteger(n) || n <= 0) {
    return Number.NaN;
  }
  if (d >= 1) {
    return 0;
  }
  if (d <= 0) {
    return 1;
  }
  const t = n * d;
  if (t <= 1) {
    // Ruben-Gambino: 1/(2n) <= d <= 1/n.
    if (t <= 0.5) {
      return 1;
    }
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) {
        prob *= i * (1 / n) * (2 * t - 1);
      }
    } else {
      prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return clipProbability(1 - prob);
  }
  if (t >= n - 1) {
    return clipProbability(2 * (1 - d) ** n);
  }
  if (d >= 0.5) {
    return clipProbability(2 * smirnovSf(n, d));
  }
  const nxsquared = t * d;
  if (n <= 140) {
    if (nxsquared <= 0.754693) {
      return clipProbability(1 - kolmognDMTW(n, d));
    }
    if (nxsquared <= 4) {
      return clipProbability(1 - kolmognPomeranz(n, d));
    }
    return clipProbability(2 * smirnovSf(n, d));
  }
  if (nxsquared >= 370) {
    return 0;
  }
  if (nxsquared >= 2.2) {
    return clipProbability(2 * smirnovSf(n, d));
  }
  let cdf: number;
  if (n <= 100000 && n * d ** 1.5 <= 1.4) {
    cdf = kolmognDMTW(n, d);
  } else {
    cdf = clipProbability(kolmognPelzGood(n, d));
  }
  return clipProbability(1 - cdf);
}
