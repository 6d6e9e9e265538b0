// jstat ships without type declarations; only the parts used here are typed.
declare module 'jstat' {
  interface JStatNormal {
    cdf(x: number, mean: number, std: number): number;
  }
  interface JStatChiSquare {
    cdf(x: number, dof: number): number;
  }
  interface JStatStatic {
    normal: JStatNormal;
    chisquare: JStatChiSquare;
  }
  const jStat: JStatStatic;
  export default jStat;
  export { jStat };
}
