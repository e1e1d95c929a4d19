#!/usr/bin/env python3
"""Reference values for tests/unit_ranktest.c, independent of bench/lib/ranktest.c: exact p-values
and Hodges-Lehmann intervals by brute-force enumeration of every sign pattern / rank subset
with exact fractions (no dynamic programming), normal approximations from the textbook
formulas with statistics.NormalDist. Run it to regenerate the numbers quoted in the test."""
import itertools, math
from fractions import Fraction as F
from statistics import NormalDist
N = NormalDist()

def avg_ranks(vals):
    s = sorted(range(len(vals)), key=lambda i: vals[i]); r=[0]*len(vals); i=0; ties=0
    while i < len(s):
        j=i
        while j+1 < len(s) and vals[s[j+1]]==vals[s[i]]: j+=1
        a=F(i+1+j+1,2)
        for k in range(i,j+1): r[s[k]]=a
        t=j-i+1; ties+=t**3-t; i=j+1
    return r, ties

def signed_rank(d):
    nz=[x for x in d if x!=0]; n=len(nz)
    r,ties=avg_ranks([abs(x) for x in nz])
    w=sum(ri for ri,x in zip(r,nz) if x>0)
    return n,w,ties,r

def sr_exact_p(n, w):
    # enumerate all 2^n sign patterns of ranks 1..n
    lo=hi=0
    for mask in range(1<<n):
        s=sum(k+1 for k in range(n) if mask>>k&1)
        lo += s<=w; hi += s>=w
    return min(1, 2*F(min(lo,hi),1<<n))

def sr_normal_p(n,w,ties):
    mu=n*(n+1)/4; var=n*(n+1)*(2*n+1)/24 - ties/48
    z=max(0,(abs(float(w)-mu)-0.5)/math.sqrt(var))
    return 2*(1-N.cdf(z))

def sr_dist(n):
    cnt=[0]*(n*(n+1)//2+1)
    for mask in range(1<<n):
        cnt[sum(k+1 for k in range(n) if mask>>k&1)]+=1
    return [F(c,1<<n) for c in cnt]

def ci_from_dist(sorted_vals, dist):
    M=len(sorted_vals); cum=F(0); k=0
    while k < len(dist) and cum+dist[k] <= F(1,40):
        cum+=dist[k]; k+=1
    if k==0: return (-math.inf, math.inf, 1.0)
    return (sorted_vals[k-1], sorted_vals[M-k], float(1-2*cum))

def median(v):
    v=sorted(v); n=len(v)
    return v[n//2] if n%2 else (v[n//2-1]+v[n//2])/2

def hl1(d):
    n=len(d); w=sorted((d[i]+d[j])/2 for i in range(n) for j in range(i,n))
    return median(w), ci_from_dist(w, sr_dist(n)), w

def mw(x,y):
    r,ties=avg_ranks(list(x)+list(y)); m,n=len(x),len(y)
    u=sum(r[:m])-F(m*(m+1),2)
    return u,ties

def mw_dist(m,n):
    # enumerate which of the N rank positions belong to x
    N_=m+n; cnt=[0]*(m*n+1); tot=0
    for c in itertools.combinations(range(1,N_+1),m):
        cnt[sum(c)-m*(m+1)//2]+=1; tot+=1
    return [F(v,tot) for v in cnt]

def mw_exact_p(m,n,u):
    d=mw_dist(m,n); lo=sum(p for k,p in enumerate(d) if k<=u); hi=sum(p for k,p in enumerate(d) if k>=u)
    return min(1,2*min(lo,hi))

def mw_normal_p(m,n,u,ties):
    Nn=m+n; var=m*n/12*((Nn+1)-ties/(Nn*(Nn-1)))
    z=max(0,(abs(float(u)-m*n/2)-0.5)/math.sqrt(var)); return 2*(1-N.cdf(z))

def hl2(x,y):
    dd=sorted(a-b for a in x for b in y)
    return median(dd), ci_from_dist(dd, mw_dist(len(x),len(y)))

print("== depression (Hollander & Wolfe ex. 3.1; R ?wilcox.test)")
x=[1.83,0.50,1.62,2.48,1.68,1.88,1.55,3.06,1.30]
y=[0.878,0.647,0.598,2.05,1.06,1.29,1.06,3.14,1.29]
d=[a-b for a,b in zip(x,y)]
n,w,t,_=signed_rank(d); print("n",n,"W+",w,"ties",t,"p",float(sr_exact_p(n,w)), sr_exact_p(n,w))
est,ci,_=hl1(d); print("HL", repr(est), [repr(c) for c in ci])

print("== permeability (R ?wilcox.test two-sample)")
px=[0.80,0.83,1.89,1.04,1.45,1.38,1.91,1.64,0.73,1.46]
py=[1.15,0.88,0.90,0.74,1.21]
u,t=mw(px,py); print("U",u,"ties",t,"p",float(mw_exact_p(10,5,u)), mw_exact_p(10,5,u))
est,ci=hl2(px,py); print("HL2",repr(est),[repr(c) for c in ci])

print("== signed rank with zeros and ties (normal)")
dz=[0,2,-1,3,0,2,-2,5,4,1.5,-0.5,2]
n,w,t,_=signed_rank(dz); print("n",n,"W+",w,"ties",t,"p",repr(sr_normal_p(n,float(w),t)))

print("== signed rank n=12 no ties exact")
d12=[1.1,-2.3,3.2,4.7,-0.4,5.5,6.1,2.9,-3.8,7.2,8.4,0.9]
n,w,t,_=signed_rank(d12); print("n",n,"W+",w,"p",float(sr_exact_p(n,w)), sr_exact_p(n,w))

print("== signed rank n=40 (normal, no ties)")
d40=[((i*7919)%97-40)+0.01*i for i in range(1,41)]
n,w,t,_=signed_rank(d40); print("d40 n",n,"W+",w,"ties",t,"p",repr(sr_normal_p(n,float(w),t)))

print("== MW with ties (normal)")
tx=[1,2,2,3,4,5,5,5]; ty=[2,3,3,4,6,6,7]
u,t=mw(tx,ty); print("U",u,"ties",t,"p",repr(mw_normal_p(8,7,u,t)))

print("== MW 60 vs 55 (normal, no ties)")
bx=[i*1.37%50+0.001*i for i in range(60)]; by=[i*1.11%47+5+0.0007*i for i in range(55)]
print(len(set(bx+by)))
u,t=mw(bx,by); print("U",u,"ties",t,"p",repr(mw_normal_p(60,55,u,t)))

print("== HL1 n=5 (no 95% interval) and n=6")
est,ci,_=hl1([1,2,3,4,5.5]); print("n5",est,ci)
est,ci,_=hl1([0.3,-1.2,2.5,1.1,0.7,1.9]); print("n6",repr(est),[repr(c) for c in ci])
print("== HL2 3 vs 4")
est,ci=hl2([5.1,6.3,7.2],[4.0,4.4,5.6,3.9]); print(repr(est),[repr(c) for c in ci])

print("== HL normal-approx intervals")
z=1.959963984540054
def k_normal(M, sd): return math.floor(M/2 - z*sd + 0.5)
n=40; w=sorted((d40[i]+d40[j])/2 for i in range(n) for j in range(i,n)); M=len(w)
k=k_normal(M, math.sqrt(n*(n+1)*(2*n+1)/24))
# exact k by a (python) DP for comparison only
dist=[F(1)]
for r in range(1,n+1):
    new=[F(0)]*(len(dist)+r)
    for s,p in enumerate(dist):
        new[s]+=p/2; new[s+r]+=p/2
    dist=new
cum=F(0); ke=0
while cum+dist[ke] <= F(1,40): cum+=dist[ke]; ke+=1
print("HL1 d40 est", repr(median(w)), "k normal", k, "k exact", ke, "ci", repr(w[k-1]), repr(w[M-k]))
dd=sorted(a-b for a in bx for b in by); M=len(dd)
k=k_normal(M, math.sqrt(60*55*(116)/12))
print("HL2 big est", repr(median(dd)), "k", k, "ci", repr(dd[k-1]), repr(dd[M-k]))
