#!/usr/bin/env python3
"""Reference values for tests/unit_stats.c, computed independently of bench/stats*.c (plain
python3, no numpy/scipy): type-7 quantiles, the splitmix64/xoshiro256** stream, both
bootstrap resampling methods, the noisy-line fit and the Student t table. Run it to
regenerate the numbers quoted in the test (takes ~10 s)."""
import math, random

M=(1<<64)-1
def sm(state):
    state=(state+0x9e3779b97f4a7c15)&M
    z=state
    z=((z^(z>>30))*0xbf58476d1ce4e5b9)&M
    z=((z^(z>>27))*0x94d049bb133111eb)&M
    return state, z^(z>>31)
class R:
    def __init__(s,seed):
        s.s=[]
        for i in range(4):
            seed,v=sm(seed); s.s.append(v)
    def next(s):
        S=s.s
        rotl=lambda x,k: ((x<<k)|(x>>(64-k)))&M
        res=(rotl((S[1]*5)&M,7)*9)&M
        t=(S[1]<<17)&M
        S[2]^=S[0]; S[3]^=S[1]; S[1]^=S[2]; S[0]^=S[3]; S[2]^=t; S[3]=rotl(S[3],45)
        return res
    def below(s,n):
        m=s.next()*n; low=m&M
        if low<n:
            th=((1<<64)-n)%n
            while low<th:
                m=s.next()*n; low=m&M
        return m>>64
def q7(xs,q):
    n=len(xs); h=(n-1)*q; lo=math.floor(h)
    if lo>=n-1: return xs[-1]
    f=h-lo
    if f==0: return xs[lo]
    return xs[lo]+f*(xs[lo+1]-xs[lo])

def t_cdf(t, v):
    """Student t CDF from the regularized incomplete beta (continued fraction)."""
    x = v / (v + t * t)
    def betacf(a, b, x):
        qab, qap, qam = a + b, a + 1, a - 1
        c, d = 1.0, 1 / (1 - qab * x / qap)
        h = d
        for m in range(1, 10000):
            m2 = 2 * m
            aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 / (1 + aa * d); c = 1 + aa / c; h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 / (1 + aa * d); c = 1 + aa / c; de = d * c; h *= de
            if abs(de - 1) < 1e-16:
                break
        return h
    a, b = v / 2, 0.5
    bt = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x))
    ib = bt * betacf(a, b, x) / a if x < (a + 1) / (a + b + 2) else 1 - bt * betacf(b, a, 1 - x) / b
    return 1 - 0.5 * ib

def t975(v):
    lo, hi = 0.0, 100.0
    for _ in range(200):
        m = (lo + hi) / 2
        lo, hi = (m, hi) if t_cdf(m, v) < 0.975 else (lo, m)
    return lo

def unit_open(r): return ((r.next()>>11)+0.5)*2.0**-53
def std_normal(r):
    while True:
        u=2*unit_open(r)-1; v=2*unit_open(r)-1; s=u*u+v*v
        if s<1: return u*math.sqrt(-2*math.log(s)/s)
def gamma(r,a):
    d=a-1.0/3; c=1/math.sqrt(9*d)
    while True:
        while True:
            x=std_normal(r); v=1+c*x
            if v>0: break
        v=v*v*v; u=unit_open(r)
        if u < 1-0.0331*(x*x)*(x*x): return d*v
        if math.log(u) < 0.5*x*x+d*(1-v+math.log(v)): return d*v
def beta(r,a,b):
    x=gamma(r,a); y=gamma(r,b); return x/(x+y)
def qranks(n,q):
    h=(n-1)*q; lo=math.floor(h); lo=min(lo,n-1); f=h-lo; hi=lo+1 if lo+1<n else lo
    return lo,hi,f
def boot_beta(s,seed,B=2000):
    n=len(s); r=R(seed); b50=[];b10=[]
    for _ in range(B):
        l1,h1,f10=qranks(n,.1); l5,h5,f50=qranks(n,.5); ranks=[l1,h1,l5,h5]; val=[0]*4
        v=0.0; taken=0
        for i,rk in enumerate(ranks):
            if i>0 and rk==ranks[i-1]: val[i]=val[i-1]; continue
            m=rk+1-taken; v+=(1-v)*beta(r,m,n-taken-m+1)
            idx=int(n*v); val[i]=s[min(idx,n-1)]; taken=rk+1
        b10.append(val[0] if f10==0 else val[0]+f10*(val[1]-val[0]))
        b50.append(val[2] if f50==0 else val[2]+f50*(val[3]-val[2]))
    b50.sort(); b10.sort()
    return q7(b50,.025),q7(b50,.975),q7(b10,.025),q7(b10,.975), b50, b10
def boot_counts(s,seed,B=2000):
    n=len(s); r=R(seed); b50=[];b10=[]
    for _ in range(B):
        idx=sorted(r.below(n) for _ in range(n)); rs=[s[i] for i in idx]
        b50.append(q7(rs,.5)); b10.append(q7(rs,.1))
    b50.sort(); b10.sort(); return b50,b10

def boot(data,seed):
    s=sorted(data); n=len(s); r=R(seed); b50=[];b10=[]
    for b in range(2000):
        idx=sorted(r.below(n) for _ in range(n))
        rs=[s[i] for i in idx]
        b50.append(q7(rs,.5)); b10.append(q7(rs,.1))
    b50.sort(); b10.sort()
    return q7(b50,.025),q7(b50,.975),q7(b10,.025),q7(b10,.975)

if __name__ == "__main__":
    print("splitmix64(0) first:", hex(sm(0)[1]))
    r = R(42); print("xoshiro256** seed 42:", [hex(r.next()) for _ in range(3)])
    v = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]; s = sorted(v)
    print("pi vector p10 p50 p90 p99:", [q7(s, q) for q in (0.1, 0.5, 0.9, 0.99)])
    data = [(i * 37) % 101 + 0.25 * (i % 7) for i in range(1, 61)]
    print("n=60 counts bootstrap seed 7 (p50 lo, hi, p10 lo, hi):", boot(data, 7))
    n = 5001; big = sorted(((i * 7919) % n) * 0.5 + 100 for i in range(n))
    print("n=5001 Beta bootstrap seed 11:", boot_beta(big, 11)[:4])
    random.seed(3)
    d3 = sorted(1000 + random.expovariate(1 / 300) for _ in range(3000))
    B50, B10 = boot_beta(d3, 1)[4:]; C50, C10 = boot_counts(d3, 2)
    for q in (.025, .5, .975):
        print("bootstrap distributions agree, q=%g: p50 %.2f vs %.2f, p10 %.2f vs %.2f"
              % (q, q7(B50, q), q7(C50, q), q7(B10, q), q7(C10, q)))
    x = [1, 2, 3, 4, 5, 6]; y = [2.1, 3.9, 6.2, 7.8, 10.1, 12.2]; k = len(x)
    mx, my = sum(x) / k, sum(y) / k
    sxx = sum((a - mx) ** 2 for a in x); sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    syy = sum((b - my) ** 2 for b in y); sl = sxy / sxx; ic = my - sl * mx
    sse = sum((b - ic - sl * a) ** 2 for a, b in zip(x, y)); se = math.sqrt(sse / (k - 2) / sxx)
    print("fit slope, intercept, R2, CI:", sl, ic, 1 - sse / syy, sl - t975(4) * se, sl + t975(4) * se)
    print("t_0.975 for dof 1..30:", ["%.6g" % t975(v) for v in range(1, 31)])
