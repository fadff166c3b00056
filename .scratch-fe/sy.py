size = open('.scratch-fe/size.txt').read().strip()
bias = open('.scratch-fe/bias.txt').read().strip()
def rows(txt, nend, per):
    out = {n: [] for n in range(1, nend+1)}
    for line in txt.splitlines():
        f = line.strip().split(',')
        L = int(f[0]); vals = f[1:]
        for n in range(1, nend+1):
            chunk = vals[(n-1)*per:n*per]
            if chunk[0] != '':
                out[n].append('[%d, %s]' % (L, ', '.join(chunk)))
    return out
S = rows(size, 2, 4); B = rows(bias, 3, 4)
fmt = lambda T: '\n'.join('  %d: [\n%s,\n  ],' % (n, ',\n'.join('    '+r for r in T[n])) for n in T)
ts = open('.scratch-fe/sy_template.ts').read().replace('@SIZE@', fmt(S)).replace('@BIAS@', fmt(B))
open('src/econ/stock-yogo.ts','w').write(ts)
